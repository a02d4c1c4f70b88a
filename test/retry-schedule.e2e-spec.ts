import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const INGEST = '/server/incoming_data';
const SYNTAX =
  'retry_schedule must be a comma-separated list of durations such as 5s,5m,2h (units ms, s, m, h, d), or empty for no retry';

const describeWithPostgres = await requirePostgres();

interface DeliveryView {
  destination_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  history: Array<{ attempt: number; at: string }>;
}

describe('retry_schedule: a destination’s own retry delays', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    // The server's schedule: one retry.
    [t, sink] = await Promise.all([startTestApp({ RETRY_SCHEDULE: '50ms' }), startSink(() => ({ status: 503, body: 'down' }))]);
  });
  afterAll(async () => {
    await Promise.all([t.close(), sink.close()]);
  });

  const read = async (id: string) => (await request(t.server).get(`/destinations/${id}`).set(t.admin).expect(200)).body;
  const patch = (id: string, body: Record<string, unknown>) => request(t.server).patch(`/destinations/${id}`).set(t.admin).send(body);

  async function ingest(token: string, payload: object): Promise<string> {
    return (await request(t.server).post(INGEST).set('CL-X-TOKEN', token).send(payload).expect(202)).body.message_id as string;
  }

  async function deliveryOf(messageId: string, destinationId: string): Promise<DeliveryView> {
    const res = await request(t.server).get(`/messages/${messageId}`).set(t.admin).expect(200);
    return (res.body.deliveries as DeliveryView[]).find((d) => d.destination_id === destinationId) as DeliveryView;
  }

  async function waitFor(messageId: string, destinationId: string, status: string, attempts: number): Promise<DeliveryView> {
    return expectEventually(
      async () => {
        const delivery = await deliveryOf(messageId, destinationId);
        expect({ status: delivery.status, attempts: delivery.attempts }).toEqual({ status, attempts });
        return delivery;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  }

  /** A short wait, long enough for a retry due under the schedules these tests use to have happened. */
  const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

  it('is null by default and shown in every answer; POST, PUT and PATCH set it, PUT without it keeps it', async () => {
    const account = await createAccount(t);
    const plain = await createDestination(t, account.account_id);
    expect(plain.retry_schedule).toBeNull();
    const own = await createDestination(t, account.account_id, { retry_schedule: '1s,10s,1m' });
    expect(own.retry_schedule).toBe('1s,10s,1m');
    expect(await read(own.destination_id)).toEqual(own);
    const list = (await request(t.server).get(`/destinations?account_id=${account.account_id}`).set(t.admin).expect(200)).body;
    expect(list.data.map((d: { retry_schedule: unknown }) => d.retry_schedule).sort()).toEqual(['1s,10s,1m', null]);

    const replace = { url: 'http://127.0.0.1:9/replaced', http_method: 'POST', headers: {} };
    const put = (body: object) => request(t.server).put(`/destinations/${own.destination_id}`).set(t.admin).send(body).expect(200);
    expect((await put(replace)).body.retry_schedule).toBe('1s,10s,1m');
    expect((await put({ ...replace, retry_schedule: '' })).body.retry_schedule).toBe('');
    expect((await patch(own.destination_id, { retry_schedule: '5m' }).expect(200)).body.retry_schedule).toBe('5m');
    expect((await patch(own.destination_id, { url: 'http://127.0.0.1:9/other' }).expect(200)).body.retry_schedule).toBe('5m');
    expect((await patch(own.destination_id, { retry_schedule: null }).expect(200)).body.retry_schedule).toBeNull();
    expect((await read(own.destination_id)).retry_schedule).toBeNull();
  });

  it.each([
    ['a word', 'soon', SYNTAX],
    ['an empty part', '1s,,2s', SYNTAX],
    ['a number without a unit', '5', SYNTAX],
    ['an unknown unit', '1s, 2x', SYNTAX],
    ['a number', 42, `${SYNTAX}, or null for the server's RETRY_SCHEDULE`],
    ['an array', ['1s'], `${SYNTAX}, or null for the server's RETRY_SCHEDULE`],
    ['a delay over 30 days', '1s,31d', 'retry_schedule delays must each be at most 30d'],
    ['51 delays', Array(51).fill('1s').join(','), 'retry_schedule must have at most 50 delays (it has 51)'],
    ['over 1,000 characters', '1s,'.repeat(400) + '1s', 'retry_schedule must be at most 1000 characters'],
  ])('refuses %s as retry_schedule with a 400 saying what to fix', async (_label, value, message) => {
    const account = await createAccount(t);
    const body = { account_id: account.account_id, url: 'http://127.0.0.1:9/x', http_method: 'POST', headers: {}, retry_schedule: value };
    const created = await request(t.server).post('/destinations').set(t.admin).send(body).expect(400);
    expect(expectErrorShape(created.body, 400)).toEqual([message]);

    const destination = await createDestination(t, account.account_id, { retry_schedule: '1s' });
    const patched = await patch(destination.destination_id, { retry_schedule: value }).expect(400);
    expect(expectErrorShape(patched.body, 400)).toEqual([message]);
    expect((await read(destination.destination_id)).retry_schedule).toBe('1s');
  });

  it('retries a destination on its own schedule while another of the account follows RETRY_SCHEDULE', async () => {
    const account = await createAccount(t);
    const own = await createDestination(t, account.account_id, { url: `${sink.url}/own`, retry_schedule: '50ms,50ms' });
    const server = await createDestination(t, account.account_id, { url: `${sink.url}/server` });
    const messageId = await ingest(account.app_secret_token, { n: 1 });

    const ownDelivery = await waitFor(messageId, own.destination_id, 'failed', 3);
    expect(ownDelivery.history.map((h) => h.attempt)).toEqual([1, 2, 3]);
    expect(ownDelivery.next_attempt_at).toBeNull();
    await waitFor(messageId, server.destination_id, 'failed', 2);
    await settle();
    expect((await deliveryOf(messageId, own.destination_id)).attempts).toBe(3);
    expect((await deliveryOf(messageId, server.destination_id)).attempts).toBe(2);
    expect(sink.received.filter((r) => r.path === '/own')).toHaveLength(3);
    expect(sink.received.filter((r) => r.path === '/server')).toHaveLength(2);
  });

  it('"" means no retry: failed after the first attempt', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/never-again`, retry_schedule: '' });
    const messageId = await ingest(account.app_secret_token, { n: 1 });
    await waitFor(messageId, destination.destination_id, 'failed', 1);
    await settle();
    expect((await deliveryOf(messageId, destination.destination_id)).attempts).toBe(1);
  });

  it('PATCH to null goes back to the server’s RETRY_SCHEDULE', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/back`, retry_schedule: '50ms,50ms,50ms' });
    expect((await patch(destination.destination_id, { retry_schedule: null }).expect(200)).body.retry_schedule).toBeNull();
    const messageId = await ingest(account.app_secret_token, { n: 1 });
    await waitFor(messageId, destination.destination_id, 'failed', 2);
    await settle();
    expect((await deliveryOf(messageId, destination.destination_id)).attempts).toBe(2);
  });

  it('after a recover, a delivery follows the destination’s own schedule from its start again', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/recovered`, retry_schedule: '50ms,50ms' });
    const since = new Date(Date.now() - 1_000).toISOString();
    const messageId = await ingest(account.app_secret_token, { n: 1 });
    await waitFor(messageId, destination.destination_id, 'failed', 3);
    const recovered = await request(t.server).post(`/destinations/${destination.destination_id}/recover`).set(t.admin).send({ since }).expect(202);
    expect(recovered.body).toEqual({ recovered: 1 });
    const again = await waitFor(messageId, destination.destination_id, 'failed', 6);
    expect(again.history.map((h) => h.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    await settle();
    expect((await deliveryOf(messageId, destination.destination_id)).attempts).toBe(6);
  });

  it('a change applies from the next attempt on: the retry already scheduled and the attempts made stay', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/changed`, retry_schedule: '1500ms' });
    const messageId = await ingest(account.app_secret_token, { n: 1 });
    const first = await waitFor(messageId, destination.destination_id, 'pending', 1);
    expect(first.next_attempt_at).not.toBeNull();

    await patch(destination.destination_id, { retry_schedule: '50ms,50ms,50ms' }).expect(200);
    const after = await deliveryOf(messageId, destination.destination_id);
    expect(after).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: first.next_attempt_at, history: first.history });

    // The retry due under the old schedule (1.2–1.8 s after the first attempt), then the new schedule's 2nd and 3rd delays.
    const done = await waitFor(messageId, destination.destination_id, 'failed', 4);
    const at = done.history.map((h) => Date.parse(h.at));
    expect(done.history[0]).toEqual(first.history[0]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(1_150);
    expect(at[2] - at[1]).toBeLessThan(1_000);
    expect(at[3] - at[2]).toBeLessThan(1_000);
  });
});

describeWithPostgres('retry_schedule on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    schema = await createTestSchema('retry_schedule');
    [t, sink] = await Promise.all([
      startTestApp({ DATABASE_URL: schema.url, RETRY_SCHEDULE: '50ms' }),
      startSink(() => ({ status: 500, body: 'down' })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), sink?.close()]);
    await schema?.drop();
  });

  it('claims a destination’s own schedule with the delivery: 3 attempts for "50ms,50ms", 2 for RETRY_SCHEDULE "50ms"', async () => {
    const account = await createAccount(t);
    const own = await createDestination(t, account.account_id, { url: `${sink.url}/own`, retry_schedule: '50ms,50ms' });
    const server = await createDestination(t, account.account_id, { url: `${sink.url}/server` });
    const messageId = (await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).send({ n: 1 }).expect(202)).body
      .message_id as string;
    const deliveries = async () =>
      ((await request(t.server).get(`/messages/${messageId}`).set(t.admin).expect(200)).body.deliveries as DeliveryView[]).map((d) => ({
        destination_id: d.destination_id,
        status: d.status,
        attempts: d.attempts,
      }));
    const expected = expect.arrayContaining([
      { destination_id: own.destination_id, status: 'failed', attempts: 3 },
      { destination_id: server.destination_id, status: 'failed', attempts: 2 },
    ]);
    await expectEventually(async () => expect(await deliveries()).toEqual(expected), { timeoutMs: 15_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await deliveries()).toEqual(expected);
  });
});
