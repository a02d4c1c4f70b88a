import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './test-app.js';

/** Asks /health one request after another on a keep-alive connection until told to stop on stdin. */
const PROBER = `
const url = process.argv[1];
let running = true, longestMs = 0, probes = 0, failures = 0;
process.stdin.on('data', () => (running = false));
(async () => {
  while (running) {
    const started = performance.now();
    const res = await fetch(url).catch(() => null);
    if (!res || res.status !== 200) failures++;
    await res?.arrayBuffer();
    longestMs = Math.max(longestMs, performance.now() - started);
    probes++;
  }
  process.stdout.write(JSON.stringify({ longestMs, probes, failures }));
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
  prober.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => prober.once('exit', () => resolve()));
  try {
    // Wait for the first answer, so the whole operation is watched.
    await waitForFirstProbe(port);
    const result = await operation();
    prober.stdin.end('stop\n');
    await exited;
    return { result, health: JSON.parse(output) as HealthWaits };
  } finally {
    prober.kill();
  }
}

async function waitForFirstProbe(port: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  await res.arrayBuffer();
}
