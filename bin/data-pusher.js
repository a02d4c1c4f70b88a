#!/usr/bin/env node
// The command line is TypeScript compiled into dist/ by `npm run build` (which `npm start` runs too).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('data-pusher: dist/ is missing: run "npm run build" in the data-pusher folder first\n');
  process.exit(2);
}
await import(entry.href);
