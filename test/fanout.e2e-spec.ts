import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createAccount, type AccountBody } from './support/factories.js';
import { watchHealthDuring } from './support/health-prober.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DESTINATIONS = 10_000;

/** Destinations written straight into the SQLite file: creating 10,000 through the API would take minutes. */
function insertDestinations(databasePath: string, accountId: string, count: number): Set<string> {
  const ids = new Set<string>();
  const db = new Database(databasePath);
  try {
    const insert = db.prepare(
      `INSERT INTO destinations (id, account_id, url, http_method, headers, signing_secret, created_at, updated_at)
       VALUES (?, ?, 'http://127.0.0.1:9/fan-out', 'POST', '{}', ?, ?, ?)`,
    );
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        ids.add(id);
        insert.run(id, accountId, `whsec_${randomBytes(24).toString('base64')}`, now, now);
      }
    })();
  } finally {
    db.close();
  }
  return ids;
}

interface DeliveryView {
  delivery_id: string;
  destination_id: string;
  status: string;
}

describe('an account with 10,000 destinations', () => {
  let t: TestApp;
  let account: AccountBody;
  let destinationIds: Set<string>;
  // The api role sends nothing: these tests are about ingest and the delivery log, not 10,000 sends.
  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    account = await createAccount(t);
    destinationIds = insertDestinations(t.databasePath, account.account_id, DESTINATIONS);
  });
  afterAll(async () => {
    await t?.close();
  });

  const ingest = () => request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ fan: 'out' });

  it('gets one delivery per destination, embeds the first 100 and pages through the rest', async () => {
    const res = await ingest().expect(202);
    expect(res.body.destinations).toBe(DESTINATIONS);

    const view = await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200);
    expect(view.body.deliveries).toHaveLength(100);
    expect(view.body.deliveries_next_cursor).toBe(view.body.deliveries[99].delivery_id);

    const seen: DeliveryView[] = [...view.body.deliveries];
    let cursor: string | null = view.body.deliveries_next_cursor;
    while (cursor) {
      const page = await request(t.server)
        .get(`/messages/${res.body.message_id}/deliveries`)
        .query({ limit: 100, cursor })
        .set(t.admin)
        .expect(200);
      seen.push(...page.body.data);
      cursor = page.body.next_cursor;
    }
    expect(seen).toHaveLength(DESTINATIONS);
    expect(new Set(seen.map((d) => d.delivery_id)).size).toBe(DESTINATIONS);
    expect(new Set(seen.map((d) => d.destination_id))).toEqual(destinationIds);
    expect(seen.every((d) => d.status === 'pending')).toBe(true);
  });

  it('stores such a message in short transactions: /health never waits 100 ms, and the answer counts every destination', async () => {
    const { result, health } = await watchHealthDuring(t, () => ingest().expect(202));
    expect(result.body.destinations).toBe(DESTINATIONS);
    expect(health.failures).toBe(0);
    expect(health.probes).toBeGreaterThan(1);
    expect(health.longestMs).toBeLessThan(100);
    const list = await request(t.server).get(`/accounts/${account.account_id}/messages`).query({ limit: 1 }).set(t.admin).expect(200);
    expect(list.body.data[0]).toMatchObject({ message_id: result.body.message_id, status: 'pending', destinations: DESTINATIONS, pending: DESTINATIONS });
  });

  it('answers 409 to the same Idempotency-Key while its first message is still being stored, then the first answer', async () => {
    const key = `fan-out-${randomUUID()}`;
    const [first, second] = await Promise.all([ingest().set('Idempotency-Key', key), ingest().set('Idempotency-Key', key)]);
    const [stored, refused] = first.status === 202 ? [first, second] : [second, first];
    expect([stored.status, stored.body.destinations]).toEqual([202, DESTINATIONS]);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'The first request with this Idempotency-Key is still being stored: send it again in a moment',
    });
    const again = await ingest().set('Idempotency-Key', key).expect(202);
    expect(again.body).toEqual({ message_id: stored.body.message_id, status: 'accepted', destinations: DESTINATIONS });
  });

  it('keeps answering /health while 10 such messages are ingested at once', async () => {
    let ingesting = true;
    const ingests = Promise.all(Array.from({ length: 10 }, () => ingest())).finally(() => (ingesting = false));
    const healthDuringIngest: number[] = [];
    while (ingesting) {
      const health = await request(t.server).get('/health');
      if (ingesting) healthDuringIngest.push(health.status);
    }
    const answers = await ingests;
    expect(answers.map((a) => [a.status, a.body.destinations])).toEqual(Array.from({ length: 10 }, () => [202, DESTINATIONS]));
    expect(healthDuringIngest.length).toBeGreaterThan(0);
    expect(healthDuringIngest.every((status) => status === 200)).toBe(true);
  }, 180_000);
});

describe('GET /messages/{id}/deliveries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function messageWithDeliveries(count: number): Promise<string> {
    const account = await createAccount(t);
    insertDestinations(t.databasePath, account.account_id, count);
    const res = await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    return res.body.message_id as string;
  }

  it('pages 50 at a time by default, filters by status, and says null when there are no more', async () => {
    const messageId = await messageWithDeliveries(60);
    const first = await request(t.server).get(`/messages/${messageId}/deliveries`).set(t.admin).expect(200);
    expect(first.body.data).toHaveLength(50);
    const rest = await request(t.server).get(`/messages/${messageId}/deliveries`).query({ cursor: first.body.next_cursor }).set(t.admin).expect(200);
    expect(rest.body.data).toHaveLength(10);
    expect(rest.body.next_cursor).toBeNull();
    expect(rest.body.data[0].history).toEqual([]);

    const none = await request(t.server).get(`/messages/${messageId}/deliveries`).query({ status: 'succeeded' }).set(t.admin).expect(200);
    expect(none.body).toEqual({ data: [], next_cursor: null });
    const view = await request(t.server).get(`/messages/${messageId}`).set(t.admin).expect(200);
    expect(view.body.deliveries).toHaveLength(60);
    expect(view.body.deliveries_next_cursor).toBeNull();
  });

  it('answers 404 for an unknown message, 400 for bad parameters, 401 without the admin key', async () => {
    const messageId = await messageWithDeliveries(1);
    await request(t.server).get(`/messages/${randomUUID()}/deliveries`).set(t.admin).expect(404);
    for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'abc' }, { status: 'lost' }, { cursor: 'not-a-cursor' }]) {
      const res = await request(t.server).get(`/messages/${messageId}/deliveries`).query(query).set(t.admin);
      expect([res.status, res.body.statusCode]).toEqual([400, 400]);
    }
    await request(t.server).get(`/messages/${messageId}/deliveries`).expect(401);
  });
});
