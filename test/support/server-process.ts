import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expectEventually } from './expect-eventually.js';

const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Output so far, for a failing test's message. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment a service process gets: nothing of the test runner's own but PATH. */
function processEnv(env: Record<string, string>, port: number): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env };
}

export interface ExitedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built service until it exits by itself (a start-up that fails), with its output kept apart. */
export async function runServerProcessToExit(env: Record<string, string>, port?: number): Promise<ExitedProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does it for you)`);
  const child = spawn(process.execPath, [MAIN], { env: processEnv(env, port ?? (await freePort())), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

/** The built service (`npm run build`, which `npm test` runs first) as a real child process. */
export async function startServerProcess(env: Record<string, string>, port?: number): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does it for you)`);
  const listenPort = port ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env: processEnv(env, listenPort), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${listenPort}`;
  await expectEventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
      const res = await fetch(`${url}/health`);
      if (res.status !== 200) throw new Error(`health ${res.status}`);
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return {
    url,
    child,
    output: () => output,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** Runs `test`; if it fails, the error carries the end of each process's output, which says why more often than not. */
export async function withOutputOnFailure<T>(processes: () => ServerProcess[], test: () => Promise<T>): Promise<T> {
  try {
    return await test();
  } catch (error) {
    const outputs = processes()
      .filter(Boolean)
      .map((p, i) => `--- process ${i} (${p.url}) ---\n${p.output().slice(-2000)}`);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${outputs.join('\n')}`, { cause: error });
  }
}
