import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { expectEventually } from './support/expect-eventually.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { peakRate } from './support/arrivals.js';
import { deleteQueueKeys } from './support/redis-keys.js';
import { requirePostgres, requireRedis, TEST_REDIS_URL } from './support/require-service.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { type ReceivedRequest, startSink, type Sink } from './support/sink.js';

const describeWithPostgres = await requirePostgres();
const describeWithBoth = (await requireRedis()) === describe.skip ? describe.skip : describeWithPostgres;

/** Redis carries wake-ups and shared rate limits; without it workers poll PostgreSQL and limit through it. */
const variants = [
  { title: 'PostgreSQL and Redis', describeIt: describeWithBoth, redis: true },
  { title: 'PostgreSQL alone (no Redis: workers poll the database)', describeIt: describeWithPostgres, redis: false },
];
/** The killed worker's attempts in flight, plus those it had finished but not yet recorded. */
const WORKER_CONCURRENCY = 16;

for (const variant of variants) variant.describeIt(`scale-out: one api and two workers on ${variant.title}`, () => {
  let schema: TestSchema;
  let sink: Sink;
  let api: ServerProcess;
  let workers: ServerProcess[] = [];
  let redis: Redis;
  const adminKey = randomBytes(24).toString('base64url');
  let token = '';
  let accountId = '';

  const redisUrl = TEST_REDIS_URL;
  const queuePrefix = () => `dp-test-${schema.name}`;
  const env = () => ({
    DATABASE_URL: schema.url,
    ...(variant.redis ? { REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix() } : {}),
    ADMIN_API_KEY: adminKey,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    DELIVERY_TIMEOUT_MS: '1000',
    RETRY_SCHEDULE: '200ms,500ms,1s,1s,1s,1s',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });

  beforeAll(async () => {
    schema = await createTestSchema('scale');
    if (variant.redis) redis = new Redis(redisUrl);
    sink = await startSink(() => ({ status: 200, delayMs: 5 }));
    // All three start at once against an empty schema: the migration lock lets one of them migrate.
    [api, ...workers] = await Promise.all([
      startServerProcess({ ...env(), ROLE: 'api' }),
      startServerProcess({ ...env(), ROLE: 'worker' }),
      startServerProcess({ ...env(), ROLE: 'worker' }),
    ]);
    const account = await adminPost('/accounts', { email: 'scale@example.com', account_name: 'Scale' });
    accountId = account.account_id;
    token = account.app_secret_token;
    for (const path of ['/one', '/two']) {
      await adminPost('/destinations', { account_id: accountId, url: `${sink.url}${path}`, http_method: 'POST', headers: {} });
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api, ...workers].filter(Boolean).map((p) => p.kill('SIGKILL')));
    await sink?.close();
    if (redis && schema) await deleteQueueKeys(redis, queuePrefix());
    redis?.disconnect();
    await schema?.drop();
  });

  async function adminPost(path: string, body: unknown): Promise<Record<string, string>> {
    const res = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Record<string, string>;
  }

  async function ingest(payload: object, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(`${api.url}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': token, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  async function sendMany(count: number, label: string): Promise<string[]> {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const n = next++;
          const res = await ingest({ label, n });
          expect(res.status).toBe(202);
          ids.push(res.body.message_id);
        }
      }),
    );
    return ids;
  }

  function expectAllDelivered(ids: string[]): void {
    for (const path of ['/one', '/two']) {
      const seen = new Set(sink.received.filter((r) => r.path === path).map((r) => String(r.headers['webhook-id'])));
      const missing = ids.filter((id) => !seen.has(id));
      expect({ path, missing: missing.length }).toEqual({ path, missing: 0 });
    }
  }

  async function pendingInDatabase(): Promise<number> {
    const { rows } = await schema.client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema.name}".deliveries WHERE status <> 'succeeded'`);
    return Number(rows[0].n);
  }

  it('delivers every message to every destination, never sending one delivery twice at the same time', async () => {
    const ids = await sendMany(300, 'first');
    await expectEventually(() => expectAllDelivered(ids), { timeoutMs: 30_000, intervalMs: 100 });
    await expectEventually(async () => expect(await pendingInDatabase()).toBe(0), { timeoutMs: 30_000, intervalMs: 100 });

    const byDelivery = new Map<string, ReceivedRequest[]>();
    for (const r of sink.received) {
      const key = `${String(r.headers['webhook-id'])} ${r.path}`;
      byDelivery.set(key, [...(byDelivery.get(key) ?? []), r]);
    }
    for (const requests of byDelivery.values()) {
      const sorted = [...requests].sort((a, b) => a.at - b.at);
      // A repeat is fine once the earlier attempt is over: answered, or given up by its time limit.
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i].at).toBeGreaterThanOrEqual(sorted[i - 1].answeredAt ?? sorted[i - 1].abandonedAt ?? Infinity);
      }
    }

    // Both workers took part.
    for (const worker of workers) {
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      const match = /data_pusher_delivery_attempts_total\{outcome="succeeded"\} (\d+)/.exec(metrics);
      expect(Number(match?.[1] ?? 0)).toBeGreaterThan(0);
    }
  }, 90_000);

  it('serves no management API on a worker', async () => {
    const res = await fetch(`${workers[0].url}/accounts`, { headers: { Authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(404);
    expect((await fetch(`${workers[0].url}/health`)).status).toBe(200);
  });

  it('answers concurrent ingests with one Idempotency-Key with one message', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => ingest({ dup: true }, { 'Idempotency-Key': 'scale-dup' })));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(new Set(answers.map((a) => a.body.message_id)).size).toBe(1);
    const { rows } = await schema.client.query(`SELECT COUNT(*) AS n FROM "${schema.name}".messages WHERE idempotency_key = 'scale-dup'`);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('loses nothing when a worker is killed with -9 mid-load, and re-sends at most what it had in flight', async () => {
    sink.behave(() => ({ status: 200, delayMs: 30 }));
    const before = sink.received.length;
    const sending = sendMany(300, 'kill');
    await expectEventually(() => expect(sink.received.length - before).toBeGreaterThan(100), { timeoutMs: 30_000 });
    await workers[0].kill('SIGKILL');
    const ids = await sending;
    sink.behave(() => ({ status: 200, delayMs: 5 }));
    await expectEventually(() => expectAllDelivered(ids), { timeoutMs: 60_000, intervalMs: 200 });
    await expectEventually(async () => expect(await pendingInDatabase()).toBe(0), { timeoutMs: 60_000, intervalMs: 200 });
    // At least once, not more: claims never run ahead of what a worker can send, so the crash re-sends
    // only attempts that were under way (an earlier design re-sent 180 of 600 here).
    const killBatch = sink.received.slice(before).filter((r) => (JSON.parse(r.body) as { label?: string }).label === 'kill');
    const resent = killBatch.length - new Set(killBatch.map((r) => `${String(r.headers['webhook-id'])} ${r.path}`)).size;
    expect(resent).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
  }, 120_000);

  if (variant.redis) it('recovers deliveries whose jobs were wiped from Redis (workers poll the database)', async () => {
    // Slow answers keep jobs waiting in Redis when it is wiped.
    sink.behave(() => ({ status: 200, delayMs: 100 }));
    const ids = await sendMany(200, 'flush');
    await deleteQueueKeys(redis, queuePrefix());
    sink.behave(() => ({ status: 200, delayMs: 5 }));
    await expectEventually(() => expectAllDelivered(ids), { timeoutMs: 60_000, intervalMs: 200 });
    await expectEventually(async () => expect(await pendingInDatabase()).toBe(0), { timeoutMs: 60_000, intervalMs: 200 });
  }, 120_000);

  it(`shares a destination's rate_limit between the workers (through ${variant.redis ? 'Redis' : 'PostgreSQL'})`, async () => {
    sink.behave(() => ({ status: 200 }));
    const rated = await adminPost('/accounts', { email: 'rated@example.com', account_name: 'Rated' });
    await adminPost('/destinations', { account_id: rated.account_id, url: `${sink.url}/rated`, http_method: 'POST', headers: {}, rate_limit: 5 });
    await Promise.all(
      Array.from({ length: 15 }, (_, n) =>
        fetch(`${api.url}/server/incoming_data`, {
          method: 'POST',
          headers: { 'CL-X-TOKEN': rated.app_secret_token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ n }),
        }).then((res) => expect(res.status).toBe(202)),
      ),
    );
    const arrivals = () => sink.received.filter((r) => r.path === '/rated');
    await expectEventually(() => expect(arrivals()).toHaveLength(15), { timeoutMs: 20_000, intervalMs: 100 });
    // Two workers, one budget: windows of 200 ms with one attempt each, so a sliding second straddles six
    // of them; an attempt may reach the sink a little after its window, hence one more.
    expect(peakRate(arrivals(), 1_000)).toBeLessThanOrEqual(7);
    const times = arrivals().map((r) => r.at);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2_000);
  }, 60_000);
});
