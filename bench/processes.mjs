// Child processes for the benchmark: a bare Node HTTP server (the yardstick), a counting sink (the
// destination) and the service itself, each in its own process so none shares an event loop with the
// load generator.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString() || '{}');
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"status":"accepted"}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const COUNTING_SINK = `
const http = require('node:http');
let count = 0;
http.createServer((req, res) => {
  if (req.url === '/count') { res.end(String(count)); return; }
  req.resume();
  req.on('end', () => { count++; res.end('ok'); });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function waitForHttp(url, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startScript(source, port) {
  return spawn(process.execPath, ['-e', source], { env: { ...process.env, PORT: String(port) }, stdio: 'inherit' });
}

export async function startBareServer() {
  const port = await freePort();
  const child = startScript(BARE_SERVER, port);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child);
  return { url, stop: () => child.kill('SIGKILL') };
}

export async function startSink() {
  const port = await freePort();
  const child = startScript(COUNTING_SINK, port);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/count`, child);
  return {
    url,
    count: async () => Number(await (await fetch(`${url}/count`)).text()),
    stop: () => child.kill('SIGKILL'),
  };
}

/** The built service (dist/) with the given environment; resolves once /health answers. */
export async function startService(env) {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    pid: child.pid,
    /** Why the process is gone (`exit code 1`, `signal SIGKILL`), or null while it runs. */
    exitReason: () => (exited() ? (child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`) : null),
    /** SIGTERM (the service finishes the deliveries in flight), then SIGKILL if it has not exited after `killAfterMs`. */
    stop: (killAfterMs = 30_000) =>
      new Promise((resolve) => {
        if (exited()) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
