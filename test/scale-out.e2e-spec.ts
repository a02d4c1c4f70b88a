import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { expectEventually } from './support/expect-eventually.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { deleteQueueKeys } from './support/redis-keys.js';
import { requirePostgres, requireRedis, TEST_REDIS_URL } from './support/require-service.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import {
  expectAllDelivered,
  expectNoDeliverySentTwiceAtOnce,
  expectNothingLostThrough,
  expectRateLimitShared,
  scaleOutClient,
  succeededAttempts,
  unfinishedDeliveries,
} from './support/scale-out.js';
import { startSink, type Sink } from './support/sink.js';

/** Short, so that attempts the sink answers late are retried within the test. */
const DELIVERY_TIMEOUT_MS = 1000;

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
  const client = scaleOutClient(() => api.url, adminKey, () => token);
  const { adminPost, ingest, sendMany } = client;
  const expectAllDeliveredToBoth = (ids: string[]) => expectAllDelivered(sink, ids, ['/one', '/two']);
  const pendingInDatabase = () => unfinishedDeliveries(schema);

  const redisUrl = TEST_REDIS_URL;
  const queuePrefix = () => `dp-test-${schema.name}`;
  const env = () => ({
    DATABASE_URL: schema.url,
    ...(variant.redis ? { REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix() } : {}),
    ADMIN_API_KEY: adminKey,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
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

  it('delivers every message to every destination, never sending one delivery twice at the same time', async () => {
    const ids = await sendMany(300, 'first');
    await expectEventually(() => expectAllDeliveredToBoth(ids), { timeoutMs: 30_000, intervalMs: 100 });
    await expectEventually(async () => expect(await pendingInDatabase()).toBe(0), { timeoutMs: 30_000, intervalMs: 100 });

    expectNoDeliverySentTwiceAtOnce(sink);

    // Both workers took part.
    for (const worker of workers) expect(await succeededAttempts(worker.url)).toBeGreaterThan(0);
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
    const resent = await expectNothingLostThrough(() => workers[0].kill('SIGKILL'), {
      client,
      sink,
      schema,
      paths: ['/one', '/two'],
      label: 'kill',
    });
    // At least once, not more: claims never run ahead of what a worker can send, so the crash re-sends
    // only attempts that were under way (an earlier design re-sent 180 of 600 here).
    expect(resent).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
  }, 120_000);

  if (variant.redis) it('recovers deliveries whose jobs were wiped from Redis (workers poll the database)', async () => {
    // Slow answers keep jobs waiting in Redis when it is wiped.
    sink.behave(() => ({ status: 200, delayMs: 100 }));
    const ids = await sendMany(200, 'flush');
    await deleteQueueKeys(redis, queuePrefix());
    sink.behave(() => ({ status: 200, delayMs: 5 }));
    await expectEventually(() => expectAllDeliveredToBoth(ids), { timeoutMs: 60_000, intervalMs: 200 });
    await expectEventually(async () => expect(await pendingInDatabase()).toBe(0), { timeoutMs: 60_000, intervalMs: 200 });
  }, 120_000);

  it(`shares a destination's rate_limit between the workers (through ${variant.redis ? 'Redis' : 'PostgreSQL'})`, async () => {
    await expectRateLimitShared(client, sink);
  }, 60_000);
});
