import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './support/expect-eventually.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { startSink, type Sink } from './support/sink.js';

describe('SIGTERM', () => {
  let dataDir: string;
  let sink: Sink;
  let server: ServerProcess;
  const adminKey = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-sigterm-'));
    sink = await startSink(() => ({ status: 200, delayMs: 1_000 }));
    server = await startServerProcess({
      DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`,
      ADMIN_API_KEY: adminKey,
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      DELIVERY_TIMEOUT_MS: '5000',
    });
  });
  afterAll(async () => {
    await server.kill('SIGKILL');
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops taking requests, finishes the attempt in flight, records it, and exits 0', async () => {
    const post = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return (await res.json()) as Record<string, string>;
    };
    const admin = { Authorization: `Bearer ${adminKey}` };
    const account = await post('/accounts', { email: 'sigterm@example.com', account_name: 'Shutdown' }, admin);
    await post('/destinations', { account_id: account.account_id, url: `${sink.url}/slow`, http_method: 'POST', headers: {} }, admin);
    const message = await post('/server/incoming_data', { a: 1 }, { 'CL-X-TOKEN': account.app_secret_token });
    await expectEventually(() => expect(sink.received).toHaveLength(1));

    const exited = server.kill('SIGTERM');
    await expectEventually(async () => {
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    });
    expect(await exited).toBe(0);

    const db = new Database(join(dataDir, 'db.sqlite'), { readonly: true });
    try {
      const delivery = db.prepare('SELECT status, attempts FROM deliveries WHERE message_id = ?').get(message.message_id);
      expect(delivery).toEqual({ status: 'succeeded', attempts: 1 });
    } finally {
      db.close();
    }
  });
});
