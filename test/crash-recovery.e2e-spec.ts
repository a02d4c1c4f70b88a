import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './support/expect-eventually.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { startSink, type Sink } from './support/sink.js';

const MESSAGES = 400;
const CONCURRENCY = 16;

describe('kill -9 of the service', () => {
  let dataDir: string;
  let sink: Sink;
  let server: ServerProcess | undefined;
  const adminKey = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-crash-'));
    // Slow enough answers that deliveries are in flight when the process dies.
    sink = await startSink(() => ({ status: 200, delayMs: 20 }));
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`,
    ADMIN_API_KEY: adminKey,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    DELIVERY_TIMEOUT_MS: '500',
    RETRY_SCHEDULE: '100ms,200ms,500ms,1s,1s,1s',
  });

  async function api(path: string, body: unknown): Promise<Record<string, string>> {
    const res = await fetch(`${server?.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Record<string, string>;
  }

  it('loses no message that was answered 202: every one reaches every destination after a restart', async () => {
    server = await startServerProcess(env());
    const account = await api('/accounts', { email: 'crash@example.com', account_name: 'Crash test' });
    for (const path of ['/one', '/two']) {
      await api('/destinations', { account_id: account.account_id, url: `${sink.url}${path}`, http_method: 'POST', headers: {} });
    }

    const accepted = new Set<string>();
    let sent = 0;
    const killAt = MESSAGES / 2;
    const crashed = server;
    const killed = (async () => {
      await expectEventually(() => expect(accepted.size).toBeGreaterThanOrEqual(killAt), { timeoutMs: 30_000 });
      await crashed.kill('SIGKILL');
    })();
    async function client(): Promise<void> {
      while (sent < MESSAGES) {
        const n = sent++;
        try {
          const res = await fetch(`${crashed.url}/server/incoming_data`, {
            method: 'POST',
            headers: { 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'application/json' },
            body: JSON.stringify({ n }),
          });
          if (res.status === 202) accepted.add(((await res.json()) as { message_id: string }).message_id);
        } catch {
          // Refused or reset by the killed process: never answered 202, so never promised.
        }
      }
    }
    await Promise.all([killed, ...Array.from({ length: CONCURRENCY }, client)]);
    expect(accepted.size).toBeGreaterThanOrEqual(killAt);

    server = await startServerProcess(env());
    const received = (path: string) => new Set(sink.received.filter((r) => r.path === path).map((r) => String(r.headers['webhook-id'])));
    await expectEventually(
      () => {
        for (const path of ['/one', '/two']) {
          const missing = [...accepted].filter((id) => !received(path).has(id));
          expect({ path, missing }).toEqual({ path, missing: [] });
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    // And the log agrees: attempts cut off by the kill were taken up again once their lease expired.
    const unfinished = async (status: string) => {
      const res = await fetch(`${server?.url}/accounts/${account.account_id}/messages?status=${status}&limit=100`, {
        headers: { Authorization: `Bearer ${adminKey}` },
      });
      return ((await res.json()) as { data: unknown[] }).data.length;
    };
    await expectEventually(async () => expect(await unfinished('pending')).toBe(0), { timeoutMs: 30_000, intervalMs: 200 });
    expect(await unfinished('failed')).toBe(0);

    // The restarted process delivers on its worker thread; /metrics merges that thread's counters.
    const metrics = await (await fetch(`${server?.url}/metrics`)).text();
    expect(metrics).toMatch(/data_pusher_delivery_attempts_total\{outcome="succeeded"\} [1-9]/);
    expect(metrics).toMatch(/data_pusher_process_start_time_seconds \d+/);
  }, 120_000);
});
