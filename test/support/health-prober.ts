import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './test-app.js';

/** Asks /health one request after another on a keep-alive connection until told to stop on stdin. */
const PROBER = `
const url = process.argv[1];
let running = true, longestMs = 0, probes = 0, failures = 0;
process.stdin.on('data', () => (running = false));
(async () => {
  // The first request also loads fetch and opens the connection: not part of what is measured.
  await (await fetch(url)).arrayBuffer();
  process.stdout.write('ready\\n');
  while (running) {
    const started = performance.now();
    const res = await fetch(url).catch(() => null);
    if (!res || res.status !== 200) failures++;
    await res?.arrayBuffer();
    longestMs = Math.max(longestMs, performance.now() - started);
    probes++;
  }
  process.stdout.write(JSON.stringify({ longestMs, probes, failures }) + '\\n');
})();
`;

export interface HealthWaits {
  /** The longest time one /health request waited for its answer. */
  longestMs: number;
  probes: number;
  /** Answers other than 200, or none. */
  failures: number;
}

/**
 * Runs `operation` while a monitor in a process of its own asks the app's /health over and over, as a load
 * balancer would, and returns what the monitor saw. A client in the test's own process would share the
 * app's event loop and count each of its own turns too.
 */
export async function watchHealthDuring<T>(t: TestApp, operation: () => Promise<T>): Promise<{ result: T; health: HealthWaits }> {
  if (!t.server.listening) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  const { port } = t.server.address() as AddressInfo;
  const prober = spawn(process.execPath, ['-e', PROBER, `http://127.0.0.1:${port}/health`], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  prober.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('ready\n')) ready();
  });
  const exited = new Promise<void>((resolve) => prober.once('close', () => resolve()));
  try {
    // The whole operation is watched, by a warm monitor.
    await Promise.race([isReady, exited]);
    const result = await operation();
    prober.stdin.end('stop\n');
    await exited;
    return { result, health: JSON.parse(output.slice('ready\n'.length)) as HealthWaits };
  } finally {
    prober.kill();
  }
}
