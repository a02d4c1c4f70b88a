import Database from 'better-sqlite3';
import request from 'supertest';
import { IDEMPOTENCY_WINDOW_MS } from '../src/data-handler/ingest-batch.sql.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
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
