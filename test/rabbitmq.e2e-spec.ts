import { randomBytes } from 'node:crypto';
import { expectEventually } from './support/expect-eventually.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { createTestVhost, requireRabbitMQ, type TestVhost } from './support/rabbitmq.js';
import { requirePostgres } from './support/require-service.js';
import {
  expectAllDelivered,
  expectNoDeliverySentTwiceAtOnce,
  expectNothingLostThrough,
  expectRateLimitShared,
  scaleOutClient,
  succeededAttempts,
  unfinishedSummary,
} from './support/scale-out.js';
import { runServerProcessToExit, type ServerProcess, startServerProcess, withOutputOnFailure } from './support/server-process.js';
import { startSink, type Sink } from './support/sink.js';

/** Short, so that attempts the sink answers late are retried within the test. */
const DELIVERY_TIMEOUT_MS = 1000;

const describeWithPostgres = await requirePostgres();
const describeWithBoth = (await requireRabbitMQ()) === describe.skip ? describe.skip : describeWithPostgres;

/** The killed worker's attempts in flight, plus those it had finished but not yet recorded. */
const WORKER_CONCURRENCY = 16;
/** The queue the processes declare with QUEUE_PREFIX=data-pusher (each run has a vhost of its own). */
const QUEUE = 'data-pusher.deliveries';

describe('QUEUE_URL', () => {
  it('with REDIS_URL as well, start-up refuses with one line naming both', async () => {
    const run = await runServerProcessToExit({
      DATABASE_URL: 'sqlite::memory:',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672/',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/"REDIS_URL" and "QUEUE_URL" are both set/)]);
  });
});

describeWithBoth('scale-out on RabbitMQ: one api and two workers on PostgreSQL', () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let sink: Sink;
  let api: ServerProcess;
  let workers: ServerProcess[] = [];
  const adminKey = randomBytes(24).toString('base64url');
  let token = '';
  const client = scaleOutClient(() => api.url, adminKey, () => token);
  const { adminPost, sendMany } = client;
  const paths = ['/one', '/two'];
  const expectAllDeliveredToBoth = (ids: string[]) => expectAllDelivered(sink, ids, paths);
  const expectNothingLeft = () =>
    expectEventually(async () => expect(await unfinishedSummary(schema)).toEqual([]), { timeoutMs: 30_000, intervalMs: 200 });
  const explained = (test: () => Promise<void>) => () => withOutputOnFailure(() => [api, ...workers], test);

  const env = () => ({
    DATABASE_URL: schema.url,
    QUEUE_URL: vhost.url,
    ADMIN_API_KEY: adminKey,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
    RETRY_SCHEDULE: '200ms,500ms,1s,1s,1s,1s',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });
  const startWorkers = () => Promise.all([1, 2].map(() => startServerProcess({ ...env(), ROLE: 'worker' })));

  beforeAll(async () => {
    [schema, vhost] = await Promise.all([createTestSchema('rabbit'), createTestVhost()]);
    sink = await startSink(() => ({ status: 200, delayMs: 5 }));
    // The api first: the migration runs once, and the queue exists before the workers consume.
    api = await startServerProcess({ ...env(), ROLE: 'api' });
    workers = await startWorkers();
    const account = await adminPost('/accounts', { email: 'rabbit@example.com', account_name: 'Rabbit' });
    token = account.app_secret_token;
    for (const path of ['/one', '/two']) {
      await adminPost('/destinations', { account_id: account.account_id, url: `${sink.url}${path}`, http_method: 'POST', headers: {} });
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api, ...workers].filter(Boolean).map((p) => p.kill('SIGKILL')));
    await sink?.close();
    await vhost?.drop();
    await schema?.drop();
  });

  it('declares a durable quorum queue that both workers consume, and reports it on /health and /metrics', explained(async () => {
    await expectEventually(async () => expect((await vhost.inspect(QUEUE)).consumers).toBe(2), { timeoutMs: 10_000, intervalMs: 100 });
    // Declaring it again with other properties than it has would close the channel (PRECONDITION_FAILED).
    await vhost.withChannel((channel) =>
      channel.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-max-length': 100_000 } }),
    );
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', info: { queue: { status: 'up' } } });
    expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(/^data_pusher_queue_depth \d+$/m);
  }));

  it('delivers every message to every destination, never sending one delivery twice at the same time', explained(async () => {
    const ids = await sendMany(300, 'first');
    await expectEventually(() => expectAllDeliveredToBoth(ids), { timeoutMs: 30_000, intervalMs: 100 });
    await expectNothingLeft();
    expectNoDeliverySentTwiceAtOnce(sink);
    for (const worker of workers) expect(await succeededAttempts(worker.url)).toBeGreaterThan(0);
  }), 90_000);

  it("shares a destination's rate_limit between the workers (through PostgreSQL: there is no Redis)", explained(async () => {
    await expectRateLimitShared(client, sink);
  }), 60_000);

  it('loses nothing when the broker drops every connection mid-load, and reconnects', explained(async () => {
    await expectNothingLostThrough(() => vhost.closeConnections(), { client, sink, schema, paths, label: 'drop' });
    // Reconnected: both workers consume again and the api's channel answers its health check.
    await expectEventually(async () => expect((await vhost.inspect(QUEUE)).consumers).toBe(2), { timeoutMs: 20_000, intervalMs: 200 });
    await expectEventually(async () => expect((await fetch(`${api.url}/health`)).status).toBe(200), { timeoutMs: 20_000, intervalMs: 200 });
  }), 90_000);

  it('recovers deliveries whose wake-ups were purged from the queue (workers read the database)', explained(async () => {
    // No worker consumes while the api enqueues, so the wake-ups wait in the queue when it is purged.
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    const ids = await sendMany(100, 'purge');
    await expectEventually(async () => expect((await vhost.inspect(QUEUE)).messages).toBeGreaterThan(0), { timeoutMs: 10_000, intervalMs: 100 });
    await vhost.purge(QUEUE);
    expect((await vhost.inspect(QUEUE)).messages).toBe(0);
    workers = await startWorkers();
    await expectEventually(() => expectAllDeliveredToBoth(ids), { timeoutMs: 30_000, intervalMs: 200 });
    await expectNothingLeft();
  }), 90_000);

  it('loses nothing when a worker is killed with -9 mid-load, and re-sends at most what it had in flight', explained(async () => {
    const resent = await expectNothingLostThrough(() => workers[0].kill('SIGKILL'), { client, sink, schema, paths, label: 'kill' });
    expect(resent).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
  }), 90_000);
});
