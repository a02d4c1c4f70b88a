import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { expectEventually } from './support/expect-eventually.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { deleteQueueKeys } from './support/redis-keys.js';
import { requirePostgres, requireRedis, TEST_REDIS_URL } from './support/require-service.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { startSink, type Sink } from './support/sink.js';

const describeWithPostgres = await requirePostgres();
const describeWithBoth = (await requireRedis()) === describe.skip ? describe.skip : describeWithPostgres;

describeWithBoth('recover and secret rotation in scale-out mode (PostgreSQL, Redis, an api and a worker process)', () => {
  let schema: TestSchema;
  let sink: Sink;
  let processes: ServerProcess[] = [];
  let api: ServerProcess;
  let redis: Redis;
  const adminKey = randomBytes(24).toString('base64url');
  const queuePrefix = () => `dp-test-${schema.name}`;

  beforeAll(async () => {
    schema = await createTestSchema('platform');
    redis = new Redis(TEST_REDIS_URL);
    sink = await startSink(() => ({ status: 503 }));
    const env = {
      DATABASE_URL: schema.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix(),
      ADMIN_API_KEY: adminKey,
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      RETRY_SCHEDULE: '50ms',
    };
    processes = await Promise.all([startServerProcess({ ...env, ROLE: 'api' }), startServerProcess({ ...env, ROLE: 'worker' })]);
    api = processes[0];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await sink?.close();
    if (redis && schema) await deleteQueueKeys(redis, queuePrefix());
    redis?.disconnect();
    await schema?.drop();
  });

  async function call(method: string, path: string, body?: unknown, expected = 200): Promise<Record<string, unknown>> {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(expected);
    return (await res.json()) as Record<string, unknown>;
  }

  async function ingest(token: string, payload: object): Promise<string> {
    const res = await fetch(`${api.url}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { message_id: string }).message_id;
  }

  async function statusOf(messageId: string): Promise<{ status: string; attempts: number }> {
    const message = await call('GET', `/messages/${messageId}`);
    const [delivery] = message.deliveries as Array<{ status: string; attempts: number }>;
    return { status: delivery.status, attempts: delivery.attempts };
  }

  it('re-queues the failed deliveries since a time, and the worker sends them with a fresh retry schedule', async () => {
    const account = await call('POST', '/accounts', { email: 'recover@example.com', account_name: 'Recover' }, 201);
    const destination = await call(
      'POST',
      '/destinations',
      { account_id: account.account_id, url: `${sink.url}/down`, http_method: 'POST', headers: {} },
      201,
    );
    const since = new Date().toISOString();
    const ids = [await ingest(String(account.app_secret_token), { n: 1 }), await ingest(String(account.app_secret_token), { n: 2 })];
    for (const id of ids) {
      await expectEventually(async () => expect(await statusOf(id)).toEqual({ status: 'failed', attempts: 2 }), { timeoutMs: 20_000, intervalMs: 100 });
    }

    const recovered = await call('POST', `/destinations/${String(destination.destination_id)}/recover`, { since }, 202);
    expect(recovered).toEqual({ recovered: 2 });
    // Still down: the whole schedule again (first attempt and one retry).
    for (const id of ids) {
      await expectEventually(async () => expect(await statusOf(id)).toEqual({ status: 'failed', attempts: 4 }), { timeoutMs: 20_000, intervalMs: 100 });
    }
    sink.behave(() => ({ status: 200 }));
    expect(await call('POST', `/destinations/${String(destination.destination_id)}/recover`, { since }, 202)).toEqual({ recovered: 2 });
    for (const id of ids) {
      await expectEventually(async () => expect(await statusOf(id)).toEqual({ status: 'succeeded', attempts: 5 }), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    }
  }, 90_000);

  it('signs with the new and the previous secret after a rotation', async () => {
    sink.behave(() => ({ status: 200 }));
    const account = await call('POST', '/accounts', { email: 'rotate@example.com', account_name: 'Rotate' }, 201);
    const destination = await call(
      'POST',
      '/destinations',
      { account_id: account.account_id, url: `${sink.url}/rotated`, http_method: 'POST', headers: {} },
      201,
    );
    const rotated = await call('POST', `/destinations/${String(destination.destination_id)}/rotate-secret`);
    const messageId = await ingest(String(account.app_secret_token), { rotated: true });
    const received = await expectEventually(() => {
      const found = sink.received.find((r) => r.path === '/rotated' && r.headers['webhook-id'] === messageId);
      expect(found).toBeDefined();
      return found!;
    });
    const headers = {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [String(rotated.signing_secret), String(destination.signing_secret)]) {
      expect(new Webhook(secret).verify(received.body, headers)).toEqual({ rotated: true });
    }
  });
});
