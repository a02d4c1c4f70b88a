import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The console is built into dist/console by `npm run build` and served by the API at /console/.
export default defineConfig({
  root: here,
  base: '/console/',
  // JSX compiled for Preact by Vite's own transformer: no plugin, no Babel.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Every asset is a file of our own origin (the Content-Security-Policy allows nothing else).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
  // `npm run console:dev`: the console with hot reload, calling the API of `npm run start:dev` on port 3000.
  server: { proxy: { '^/(?!console)': 'http://127.0.0.1:3000' } },
});
