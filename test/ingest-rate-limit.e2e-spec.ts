import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { deleteQueueKeys } from './support/redis-keys.js';
import { requirePostgres, requireRedis, TEST_REDIS_URL } from './support/require-service.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TOO_MANY = { statusCode: 429, error: 'Too Many Requests', message: 'Too Many Requests' };

/** One ingest; `to` picks the server (a supertest agent's target). */
type Send = (token: string) => Promise<{ status: number; retryAfter: string | undefined; body: unknown }>;

/**
 * Sends `limit + 1` ingests, one after another, through `senders` in turn, and returns their statuses, or
 * null when they took so long that the one-second window may have ended between them (a loaded machine):
 * the caller then tries again with a fresh account rather than conclude anything.
 */
async function burst(senders: Send[], token: string, count: number) {
  const started = Date.now();
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await senders[i % senders.length](token));
  return Date.now() - started < 800 ? answers : null;
}

/** Retries `attempt` (each with a fresh account) until one ran within a window: see burst. */
async function withinOneWindow(attempt: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 5; i++) if (await attempt()) return;
  throw new Error('five bursts in a row took longer than a rate-limit window: the machine is too loaded to tell');
}

describe('per-account ingest rate limit, embedded (one process, counted in memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_PAYLOAD_BYTES: '1024' });
  });
  afterAll(async () => {
    await t.close();
  });

  const send: Send = async (token) => {
    const res = await request(t.server).post('/server/incoming_data').set({ 'CL-X-TOKEN': token, 'Content-Type': 'application/json' }).send('{"n": 1}');
    return { status: res.status, retryAfter: res.headers['retry-after'], body: res.body };
  };

  it("answers 429 with Retry-After above the account's ingest_rate_limit, and other accounts go on", async () => {
    const unlimited = await createAccount(t);
    await withinOneWindow(async () => {
      const account = await createAccount(t, { ingest_rate_limit: 3 });
      expect(account.ingest_rate_limit).toBe(3);
      const answers = await burst([send], account.app_secret_token, 4);
      if (!answers) return false;
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
      expect(answers[3].body).toEqual(TOO_MANY);
      expect(answers[3].retryAfter).toBe('1');
      expect((await send(unlimited.app_secret_token)).status).toBe(202);
      // The next window takes the account's messages again.
      await expectEventually(async () => expect((await send(account.app_secret_token)).status).toBe(202), { timeoutMs: 5_000, intervalMs: 250 });
      return true;
    });
  });

  it('decides before the body is read: an over-limit body that is too large or not JSON still gets 429, a bad token 401', async () => {
    await withinOneWindow(async () => {
      const account = await createAccount(t, { ingest_rate_limit: 1 });
      const started = Date.now();
      expect((await send(account.app_secret_token)).status).toBe(202);
      const tooLarge = await request(t.server)
        .post('/server/incoming_data')
        .set({ 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'application/json' })
        .send(JSON.stringify({ pad: 'x'.repeat(4096) }));
      const notJson = await request(t.server).post('/server/incoming_data').set({ 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'text/plain' }).send('hello');
      if (Date.now() - started >= 800) return false;
      expect([tooLarge.status, notJson.status]).toEqual([429, 429]);
      expect(tooLarge.body).toEqual(TOO_MANY);
      const wrongToken = await request(t.server).post('/server/incoming_data').set({ 'CL-X-TOKEN': 'nope', 'Content-Type': 'application/json' }).send('{}');
      expect(wrongToken.status).toBe(401);
      return true;
    });
  });

  it('is set, changed and cleared with the account: 1 to 1,000,000 or null, and PUT without it clears it', async () => {
    const account = await createAccount(t, { ingest_rate_limit: 10 });
    const url = `/accounts/${account.account_id}`;
    expect((await request(t.server).patch(url).set(t.admin).send({ ingest_rate_limit: 1_000_000 }).expect(200)).body.ingest_rate_limit).toBe(1_000_000);
    expect((await request(t.server).get(url).set(t.admin).expect(200)).body.ingest_rate_limit).toBe(1_000_000);
    expect((await request(t.server).patch(url).set(t.admin).send({ account_name: 'Renamed' }).expect(200)).body.ingest_rate_limit).toBe(1_000_000);
    expect((await request(t.server).put(url).set(t.admin).send({ email: account.email, account_name: 'Put' }).expect(200)).body.ingest_rate_limit).toBeNull();
    await request(t.server).patch(url).set(t.admin).send({ ingest_rate_limit: 5 }).expect(200);
    expect((await request(t.server).patch(url).set(t.admin).send({ ingest_rate_limit: null }).expect(200)).body.ingest_rate_limit).toBeNull();
    for (const bad of [0, 1.5, '10', 1_000_001, -1, true]) {
      const res = await request(t.server).patch(url).set(t.admin).send({ ingest_rate_limit: bad }).expect(400);
      expect(expectErrorShape(res.body, 400)).toEqual(['ingest_rate_limit must be an integer from 1 to 1000000, or null']);
    }
  });

  it('applies INGEST_RATE_LIMIT to accounts without their own limit; an own limit wins over it', async () => {
    const limited = await startTestApp({ INGEST_RATE_LIMIT: '2' });
    try {
      const sendTo: Send = async (token) => {
        const res = await request(limited.server).post('/server/incoming_data').set({ 'CL-X-TOKEN': token, 'Content-Type': 'application/json' }).send('{}');
        return { status: res.status, retryAfter: res.headers['retry-after'], body: res.body };
      };
      await withinOneWindow(async () => {
        const byDefault = await createAccount(limited);
        const answers = await burst([sendTo], byDefault.app_secret_token, 3);
        if (!answers) return false;
        expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
        return true;
      });
      await withinOneWindow(async () => {
        const own = await createAccount(limited, { ingest_rate_limit: 4 });
        const answers = await burst([sendTo], own.app_secret_token, 5);
        if (!answers) return false;
        expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 429]);
        return true;
      });
    } finally {
      await limited.close();
    }
  });
});

const describeWithPostgres = await requirePostgres();
const redisDescribe = await requireRedis();

describe.each([
  ['PostgreSQL and Redis (counted in Redis)', true],
  ['PostgreSQL alone (counted in PostgreSQL)', false],
])('per-account ingest rate limit shared by two api processes: %s', (_name, withRedis) => {
  const describeHere = withRedis && redisDescribe === describe.skip ? describe.skip : describeWithPostgres;
  describeHere('api processes on one database', () => {
    let schema: TestSchema;
    let apis: ServerProcess[] = [];
    let redis: Redis | undefined;
    const adminKey = randomBytes(24).toString('base64url');
    const queuePrefix = () => `dp-test-${schema.name}`;

    beforeAll(async () => {
      schema = await createTestSchema('ingest_limit');
      if (withRedis) redis = new Redis(TEST_REDIS_URL);
      const env = {
        DATABASE_URL: schema.url,
        ADMIN_API_KEY: adminKey,
        QUEUE_PREFIX: queuePrefix(),
        ROLE: 'api',
        ...(withRedis ? { REDIS_URL: TEST_REDIS_URL } : {}),
      };
      // One after the other: both run the migrations, and the second waits for the first's lock anyway.
      apis = [await startServerProcess(env), await startServerProcess(env)];
    }, 120_000);

    afterAll(async () => {
      await Promise.all(apis.map((p) => p.kill('SIGKILL')));
      if (redis && schema) await deleteQueueKeys(redis, queuePrefix());
      redis?.disconnect();
      await schema?.drop();
    });

    const sendTo =
      (api: () => ServerProcess): Send =>
      async (token) => {
        const res = await fetch(`${api().url}/server/incoming_data`, {
          method: 'POST',
          headers: { 'CL-X-TOKEN': token, 'Content-Type': 'application/json' },
          body: '{"shared": true}',
        });
        return { status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined, body: await res.json() };
      };

    it('counts the requests to both processes against one limit', async () => {
      await withinOneWindow(async () => {
        const res = await fetch(`${apis[0].url}/accounts`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: `limit-${randomBytes(6).toString('hex')}@example.com`, account_name: 'Shared limit', ingest_rate_limit: 4 }),
        });
        expect(res.status).toBe(201);
        const { app_secret_token: token } = (await res.json()) as { app_secret_token: string };
        // Alternating between the processes: each alone would allow 4, so 5 of 6 would pass if they did not share.
        const answers = await burst([sendTo(() => apis[0]), sendTo(() => apis[1])], token, 6);
        if (!answers) return false;
        expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 429, 429]);
        expect(answers[4].body).toEqual(TOO_MANY);
        expect(answers[5].retryAfter).toBe('1');
        return true;
      });
    }, 60_000);
  });
});
