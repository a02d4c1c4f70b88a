import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination, type DestinationBody } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { watchHealthDuring } from './support/health-prober.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DESTINATIONS = 10;
const MESSAGES = 2_000;
const FAILED_DELIVERIES = DESTINATIONS * MESSAGES;
/** The contract: whatever the size, nothing waits longer than this for /health. */
const HEALTH_BUDGET_MS = 100;

/** No retries: every attempt to the discard port (nothing listens) fails at once and for good. */
const ENV = { RETRY_SCHEDULE: '' };

function longOperationTests(context: () => TestApp) {
  it(`recovers ${FAILED_DELIVERIES} failed deliveries, deletes a destination and their account in short steps: /health never waits ${HEALTH_BUDGET_MS} ms`, async () => {
    const t = context();
    const account = await createAccount(t);
    const destinations: DestinationBody[] = [];
    for (let i = 0; i < DESTINATIONS; i++) destinations.push(await createDestination(t, account.account_id));
    const since = new Date().toISOString();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < MESSAGES) {
          sent++;
          await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ n: sent }).expect(202);
        }
      }),
    );
    const pendingCount = async () =>
      (await request(t.server).get(`/accounts/${account.account_id}/messages?status=pending&limit=1`).set(t.admin).expect(200)).body.data.length;
    await expectEventually(async () => expect(await pendingCount()).toBe(0), { timeoutMs: 120_000, intervalMs: 250 });

    // Paused: the recovered deliveries wait instead of being attempted again, so what is measured is the recover
    // itself, not 20,000 new attempts (whose cost is the delivery engine's, measured by npm run bench).
    for (const destination of destinations) {
      await request(t.server).patch(`/destinations/${destination.destination_id}`).set(t.admin).send({ enabled: false }).expect(200);
    }
    // One destination after another: 20,000 deliveries become pending.
    const recover = await watchHealthDuring(t, async () => {
      const recovered: number[] = [];
      for (const destination of destinations) {
        const res = await request(t.server).post(`/destinations/${destination.destination_id}/recover`).set(t.admin).send({ since }).expect(202);
        recovered.push(res.body.recovered as number);
      }
      return recovered;
    });
    expect(recover.result.reduce((sum, n) => sum + n, 0)).toBe(FAILED_DELIVERIES);
    expect(recover.health).toEqual({ longestMs: expect.any(Number), probes: expect.any(Number), failures: 0 });
    expect(recover.health.probes).toBeGreaterThan(1);
    expect(recover.health.longestMs).toBeLessThan(HEALTH_BUDGET_MS);

    const [first] = destinations;
    const removeDestination = await watchHealthDuring(t, () => request(t.server).delete(`/destinations/${first.destination_id}`).set(t.admin).expect(204));
    expect(removeDestination.health.failures).toBe(0);
    expect(removeDestination.health.longestMs).toBeLessThan(HEALTH_BUDGET_MS);
    await request(t.server).get(`/destinations/${first.destination_id}`).set(t.admin).expect(404);
    // Its deliveries left their messages' counts: each message now has one destination fewer, all pending.
    const page = (await request(t.server).get(`/accounts/${account.account_id}/messages?limit=1`).set(t.admin).expect(200)).body.data;
    expect(page[0]).toMatchObject({ destinations: DESTINATIONS - 1, pending: DESTINATIONS - 1, status: 'pending' });

    const remove = await watchHealthDuring(t, () => request(t.server).delete(`/accounts/${account.account_id}`).set(t.admin).expect(204));
    expect(remove.health.failures).toBe(0);
    expect(remove.health.probes).toBeGreaterThan(1);
    expect(remove.health.longestMs).toBeLessThan(HEALTH_BUDGET_MS);
    await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(404);
    await request(t.server).get(`/destinations/${destinations[1].destination_id}`).set(t.admin).expect(404);
  }, 240_000);
}

describe('long operations on SQLite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ENV);
  });
  afterAll(() => t.close());
  longOperationTests(() => t);
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('long operations on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  beforeAll(async () => {
    schema = await createTestSchema('long_ops');
    t = await startTestApp({ ...ENV, DATABASE_URL: schema.url });
  });
  afterAll(async () => {
    await t.close();
    await schema.drop();
  });
  longOperationTests(() => t);
});
