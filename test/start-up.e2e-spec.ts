import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './support/expect-eventually.js';
import { freePort, runServerProcessToExit, type ServerProcess, startServerProcess } from './support/server-process.js';

/** Nest's own start-up lines (one per module and route): debug, never info. */
const FRAMEWORK_CONTEXTS = ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'];

function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Each case starts processes of the whole service; on a busy machine that takes a while. */
const PROCESS_TIMEOUT_MS = 90_000;

describe('start-up', () => {
  let dataDir: string;
  const running: ServerProcess[] = [];
  const sqlite = (name: string) => `sqlite:${join(dataDir, name, 'db.sqlite')}`;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-start-up-'));
  });
  afterAll(async () => {
    await Promise.all(running.map((server) => server.kill('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess({ LOG_LEVEL: 'info', ...env });
    running.push(server);
    return server;
  }

  it('a first start (ROLE=all) says a few things at info: the key was generated, once, and where it listens', async () => {
    const server = await start({ DATABASE_URL: sqlite('first') });
    await expectEventually(() => expect(server.output()).toContain('listening on http://127.0.0.1:'));

    const output = server.output();
    expect(output.split('Generated an admin API key')).toHaveLength(2);
    expect(output).not.toContain('read from');
    const lines = jsonLines(output);
    expect(lines.filter((line) => FRAMEWORK_CONTEXTS.includes(String(line.context)))).toEqual([]);
    expect(lines.length).toBeLessThanOrEqual(3);
  }, PROCESS_TIMEOUT_MS);

  it('a worker says on which PORT it serves /health and /metrics, and mentions no API docs', async () => {
    const port = await freePort();
    const server = await startServerProcess(
      { LOG_LEVEL: 'info', ROLE: 'worker', DATABASE_URL: sqlite('worker'), ADMIN_API_KEY: randomBytes(24).toString('base64url') },
      port,
    );
    running.push(server);
    await expectEventually(() => expect(server.output()).toContain(`serving /health and /metrics on http://127.0.0.1:${port} (PORT=${port})`));
    expect(server.output()).not.toContain('/docs');
    expect((await fetch(`${server.url}/docs`)).status).toBe(404);
  }, PROCESS_TIMEOUT_MS);

  it('a second start on a busy port stops before loading the application, with one line that says to set PORT', async () => {
    const first = await start({ DATABASE_URL: sqlite('busy'), ADMIN_API_KEY: randomBytes(24).toString('base64url') });
    const port = Number(new URL(first.url).port);

    const second = await runServerProcessToExit({ DATABASE_URL: sqlite('second'), LOG_LEVEL: 'info' }, port);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`port ${port} .*already in use.*set PORT`))]);
    expect(second.stdout).toBe('');
    // It never got as far as opening (creating) its database.
    expect(existsSync(join(dataDir, 'second'))).toBe(false);
  }, PROCESS_TIMEOUT_MS);

  it('an unreachable PostgreSQL gives JSON log lines at LOG_LEVEL, then one final line that names DATABASE_URL', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const env = { DATABASE_URL: url, ADMIN_API_KEY: randomBytes(24).toString('base64url') };
    const [warn, fatal] = await Promise.all([
      runServerProcessToExit({ ...env, LOG_LEVEL: 'warn' }),
      runServerProcessToExit({ ...env, LOG_LEVEL: 'fatal' }),
    ]);

    for (const run of [warn, fatal]) {
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/failed to start: cannot connect to the database of DATABASE_URL \(.*ECONNREFUSED/)]);
    }
    // Retries are logged, as JSON lines without colours; LOG_LEVEL=fatal keeps them out.
    expect(warn.stdout).not.toContain('\u001b[');
    const lines = warn.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('ECONNREFUSED') }));
    expect(fatal.stdout).toBe('');
  }, PROCESS_TIMEOUT_MS);
});
