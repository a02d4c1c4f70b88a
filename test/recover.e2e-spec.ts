import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface DeliveryView {
  destination_id: string;
  status: string;
  attempts: number;
  history: Array<{ attempt: number; status_code: number | null }>;
}

describe('POST /destinations/{id}/recover', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    // One retry: a delivery is failed after two attempts.
    t = await startTestApp({ RETRY_SCHEDULE: '50ms' });
    sink = await startSink(() => ({ status: 503 }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const ingest = async (token: string, body: object): Promise<string> =>
    (await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(body).expect(202)).body.message_id;
  /** The message's delivery to the given destination, or its only one. */
  async function deliveryOf(messageId: string, destinationId?: string): Promise<DeliveryView> {
    const deliveries: DeliveryView[] = (await request(t.server).get(`/messages/${messageId}`).set(t.admin).expect(200)).body.deliveries;
    return destinationId ? (deliveries.find((d) => d.destination_id === destinationId) as DeliveryView) : deliveries[0];
  }
  const recover = (id: string, body: object) => request(t.server).post(`/destinations/${id}/recover`).set(t.admin).send(body);

  async function waitFor(messageId: string, status: string, attempts: number, destinationId?: string): Promise<DeliveryView> {
    return expectEventually(
      async () => {
        const delivery = await deliveryOf(messageId, destinationId);
        expect({ status: delivery.status, attempts: delivery.attempts }).toEqual({ status, attempts });
        return delivery;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  }

  it('re-queues the failed deliveries of messages since the given time, each with the whole retry schedule again', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/down` });
    const other = await createDestination(t, account.account_id, { url: `${sink.url}/other-down` });
    const before = await ingest(account.app_secret_token, { n: 'before' });
    await waitFor(before, 'failed', 2, destination.destination_id);
    await waitFor(before, 'failed', 2, other.destination_id);
    // After the first message arrived, before the next ones do.
    const since = new Date().toISOString();
    const during = [await ingest(account.app_secret_token, { n: 1 }), await ingest(account.app_secret_token, { n: 2 })];
    for (const id of during) await waitFor(id, 'failed', 2, destination.destination_id);
    for (const id of during) await waitFor(id, 'failed', 2, other.destination_id);

    // Still down: each recovered delivery gets the first attempt and then every retry of the schedule again.
    const res = await recover(destination.destination_id, { since }).expect(202);
    expect(res.body).toEqual({ recovered: 2 });
    for (const id of during) {
      const delivery = await waitFor(id, 'failed', 4, destination.destination_id);
      expect(delivery.history.map((h) => h.attempt)).toEqual([1, 2, 3, 4]);
    }
    // The message from before `since` stayed failed, as did the other destination's deliveries.
    expect(await deliveryOf(before, destination.destination_id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(await deliveryOf(during[0], other.destination_id)).toMatchObject({ status: 'failed', attempts: 2 });

    // Back up: recovered again, they succeed.
    sink.behave(() => ({ status: 200 }));
    expect((await recover(destination.destination_id, { since }).expect(202)).body).toEqual({ recovered: 2 });
    for (const id of during) await waitFor(id, 'succeeded', 5, destination.destination_id);
    // Nothing failed is left since then.
    expect((await recover(destination.destination_id, { since }).expect(202)).body).toEqual({ recovered: 0 });
    sink.behave(() => ({ status: 503 }));
  });

  it('recovers a backlog larger than one batch, every delivery once', async () => {
    const account = await createAccount(t);
    // Nothing listens on the discard port: every attempt fails at once.
    const destination = await createDestination(t, account.account_id, { url: 'http://127.0.0.1:9/down' });
    const since = new Date().toISOString();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < 600) await ingest(account.app_secret_token, { n: sent++ });
      }),
    );
    const failedCount = async () =>
      (await request(t.server).get(`/accounts/${account.account_id}/messages?status=failed&limit=100`).set(t.admin).expect(200)).body.data
        .length as number;
    await expectEventually(
      async () => {
        const pending = await request(t.server).get(`/accounts/${account.account_id}/messages?status=pending&limit=1`).set(t.admin).expect(200);
        expect(pending.body.data).toHaveLength(0);
        expect(await failedCount()).toBe(100);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const res = await recover(destination.destination_id, { since }).expect(202);
    expect(res.body).toEqual({ recovered: 600 });
  }, 90_000);

  it('answers 400 for a missing or bad since, 404 for an unknown destination, 401 without the admin key', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id);
    expect(expectErrorShape((await recover(destination.destination_id, {}).expect(400)).body, 400)).toEqual(['since is required']);
    for (const body of [{ since: 'yesterday' }, { since: '2026-13-01T00:00:00Z' }, { since: 5 }]) {
      const problems = expectErrorShape((await recover(destination.destination_id, body).expect(400)).body, 400);
      expect(problems).toEqual(['since must be an ISO 8601 date-time, e.g. 2026-01-02T03:04:05Z']);
    }
    expect(expectErrorShape((await recover(destination.destination_id, { since: '2026-01-02T03:04:05Z', x: 1 }).expect(400)).body, 400)).toEqual([
      'property x should not exist',
    ]);
    await recover('0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', { since: '2026-01-02T03:04:05Z' }).expect(404);
    await request(t.server).post(`/destinations/${destination.destination_id}/recover`).send({ since: '2026-01-02T03:04:05Z' }).expect(401);
    expect((await recover(destination.destination_id, { since: '2026-01-02T03:04:05Z' }).expect(202)).body).toEqual({ recovered: 0 });
  });
});
