import { runCli } from './cli.js';

/** `npx data-pusher …`: the package's bin (bin/data-pusher.js) loads this. */
const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
// Idle keep-alive sockets must not hold the process open once the answer is printed.
process.stdout.write('', () => process.exit(code));
