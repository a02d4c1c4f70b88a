import Database from 'better-sqlite3';
import request from 'supertest';
import { IDEMPOTENCY_WINDOW_MS } from '../src/data-handler/ingest-batch.sql.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const INGEST = '/server/incoming_data';

/** An Idempotency-Key is remembered for 24 h per account: within it a repeat is the same message, after it a new one. */
describe('the idempotency window', () => {
  let t: TestApp;
  let sink: Sink;
  let db: Database.Database;
  beforeAll(async () => {
    t = await startTestApp();
    sink = await startSink();
    db = new Database(t.databasePath);
    db.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    db.close();
    await t.close();
    await sink.close();
  });

  /** Makes the message look as if it had arrived `ageMs` ago (the clock is the database's received_at). */
  function age(messageId: string, ageMs: number): void {
    db.prepare('UPDATE messages SET received_at = ? WHERE id = ?').run(Date.now() - ageMs, messageId);
  }

  async function send(token: string, key: string): Promise<string> {
    const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('Idempotency-Key', key).send({ key }).expect(202);
    return res.body.message_id as string;
  }

  it('answers a key seen a minute short of 24 h ago with the first message', async () => {
    const account = await createAccount(t);
    const first = await send(account.app_secret_token, 'almost-a-day');
    age(first, IDEMPOTENCY_WINDOW_MS - 60_000);
    expect(await send(account.app_secret_token, 'almost-a-day')).toBe(first);
  });

  it('takes a key seen more than 24 h ago as a new message, delivered again', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/window` });
    const first = await send(account.app_secret_token, 'a-day-ago');
    age(first, IDEMPOTENCY_WINDOW_MS + 1_000);

    const second = await send(account.app_secret_token, 'a-day-ago');
    expect(second).not.toBe(first);
    await expectEventually(() =>
      expect(sink.received.filter((r) => r.path === '/window').map((r) => r.headers['webhook-id']).sort()).toEqual([first, second].sort()),
    );
    // And the new message holds the key for the next 24 h.
    expect(await send(account.app_secret_token, 'a-day-ago')).toBe(second);
    const listed = await request(t.server).get(`/accounts/${account.account_id}/messages`).set(t.admin).expect(200);
    expect(listed.body.data.map((m: { message_id: string }) => m.message_id).sort()).toEqual([first, second].sort());
  });
});

/** A key names one payload: the same key with another body is a client's mistake, answered 409 (as Stripe does). */
describe('an Idempotency-Key reused with a different payload', () => {
  let t: TestApp;
  let sink: Sink;
  let db: Database.Database;
  beforeAll(async () => {
    t = await startTestApp();
    sink = await startSink();
    db = new Database(t.databasePath);
    db.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    db.close();
    await t.close();
    await sink.close();
  });

  const CONFLICT = { statusCode: 409, error: 'Conflict', message: 'Idempotency-Key was already used with a different payload' };

  /** Sends `body` as the exact text, so payloads can differ in bytes only. */
  const send = (token: string, key: string, body: string) =>
    request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('Idempotency-Key', key).set('Content-Type', 'application/json').send(body);

  const storedMessages = (accountId: string) =>
    (db.prepare('SELECT id, payload FROM messages WHERE account_id = ? ORDER BY id').all(accountId) as Array<{ id: string; payload: string }>);

  it('answers 409 and stores nothing; the first payload still gets the first answer', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/conflict` });
    const first = await send(account.app_secret_token, 'order-7', '{"total": 10}').expect(202);

    for (const other of ['{"total": 11}', '{"total":10}', '{"total": 10} ']) {
      const res = await send(account.app_secret_token, 'order-7', other).expect(409);
      expect(res.body).toEqual(CONFLICT);
    }
    expect((await send(account.app_secret_token, 'order-7', '{"total": 10}').expect(202)).body).toEqual(first.body);
    expect(storedMessages(account.account_id)).toEqual([{ id: first.body.message_id, payload: '{"total": 10}' }]);
    await expectEventually(() => expect(sink.received.filter((r) => r.path === '/conflict').map((r) => r.body)).toEqual(['{"total": 10}']));
  });

  it('decides concurrent first uses of a key: the payload that won gets 202s, every other one 409', async () => {
    const account = await createAccount(t);
    const bodies = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? '{"n": 0}' : `{"n": ${i}}`));
    const answers = await Promise.all(bodies.map((body) => send(account.app_secret_token, 'race', body)));
    const stored = storedMessages(account.account_id);
    expect(stored).toHaveLength(1);
    answers.forEach((res, i) => {
      if (bodies[i] === stored[0].payload) expect(res.body).toEqual({ message_id: stored[0].id, status: 'accepted', destinations: 0 });
      else expect(res.body).toEqual(CONFLICT);
    });
  });

  it('compares with the payload itself for a message stored before payload hashes were kept', async () => {
    const account = await createAccount(t);
    const first = await send(account.app_secret_token, 'from-before', '{"old": true}').expect(202);
    db.prepare('UPDATE messages SET payload_hash = NULL WHERE id = ?').run(first.body.message_id);
    expect((await send(account.app_secret_token, 'from-before', '{"old": true}').expect(202)).body.message_id).toBe(first.body.message_id);
    expect((await send(account.app_secret_token, 'from-before', '{"old": false}').expect(409)).body).toEqual(CONFLICT);
  });

  it('answers 409 on the admin route that sends on an account\'s behalf too', async () => {
    const account = await createAccount(t);
    const sendAsAdmin = (body: string) =>
      request(t.server)
        .post(`/accounts/${account.account_id}/messages`)
        .set(t.admin)
        .set('Idempotency-Key', 'admin-key')
        .set('Content-Type', 'application/json')
        .send(body);
    const first = await sendAsAdmin('{"a": 1}').expect(202);
    expect((await sendAsAdmin('{"a": 2}').expect(409)).body).toEqual(CONFLICT);
    expect((await sendAsAdmin('{"a": 1}').expect(202)).body).toEqual(first.body);
    expect(storedMessages(account.account_id)).toHaveLength(1);
  });
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('an Idempotency-Key reused with a different payload, on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  beforeAll(async () => {
    schema = await createTestSchema('idempotency');
    t = await startTestApp({ DATABASE_URL: schema.url });
  });
  afterAll(async () => {
    await t?.close();
    await schema?.drop();
  });

  it('stores one message for concurrent first uses of a key and answers 409 to every other payload', async () => {
    const account = await createAccount(t);
    const bodies = Array.from({ length: 16 }, (_, i) => (i % 2 ? `{"n": ${i}}` : '{"n": "same"}'));
    const answers = await Promise.all(
      bodies.map((body) =>
        request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Idempotency-Key', 'pg-race').set('Content-Type', 'application/json').send(body),
      ),
    );
    const { rows } = await schema.client.query<{ id: string; payload: string }>(
      `SELECT id, payload FROM "${schema.name}".messages WHERE account_id = $1`,
      [account.account_id],
    );
    expect(rows).toHaveLength(1);
    answers.forEach((res, i) => {
      if (bodies[i] === rows[0].payload) expect(res.status === 202 && res.body.message_id === rows[0].id).toBe(true);
      else expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'Idempotency-Key was already used with a different payload' });
    });
  });
});
