import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** How many rows of a message's history are left in the database: its own row, deliveries, attempts. */
type CountHistory = (messageId: string) => Promise<{ messages: number; deliveries: number; attempts: number }>;
/** Runs a statement on the test's own connection to the app's database ($1, $2, … placeholders). */
type WriteDirectly = (statement: string, values: Array<string | number>) => Promise<void>;

const HISTORY_COUNTS = `SELECT (SELECT COUNT(*) FROM messages WHERE id = $1) AS messages,
        (SELECT COUNT(*) FROM deliveries WHERE message_id = $1) AS deliveries,
        (SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.message_id = $1) AS attempts`;

/** Retention of 2 s (purge rounds every 500 ms), no retries: a failing delivery is failed at once. */
const RETENTION_ENV = { MESSAGE_RETENTION: '2s', RETRY_SCHEDULE: '', DELIVERY_TIMEOUT_MS: '60000' };

/** /down fails, /hang does not answer while the test runs (its delivery stays pending, in flight), the rest succeeds. */
function startRetentionSink(): Promise<Sink> {
  return startSink((req) => {
    if (req.url.startsWith('/down')) return { status: 503 };
    return req.url.startsWith('/hang') ? { status: 200, delayMs: 600_000 } : { status: 200 };
  });
}

function retentionTests(context: () => { t: TestApp; sink: Sink; countHistory: CountHistory; write: WriteDirectly }) {

  const ingest = async (token: string, body: object): Promise<string> =>
    (await request(context().t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(body).expect(202)).body.message_id;
  const statusOf = async (messageId: string): Promise<number> => (await request(context().t.server).get(`/messages/${messageId}`).set(context().t.admin)).status;

  it('deletes finished messages older than MESSAGE_RETENTION with their deliveries and attempts, and keeps pending ones', async () => {
    const { t, sink, countHistory } = context();
    const waiting = await createAccount(t);
    await createDestination(t, waiting.account_id, { url: `${sink.url}/hang` });
    const finished = await createAccount(t);
    await createDestination(t, finished.account_id, { url: `${sink.url}/ok` });
    await createDestination(t, finished.account_id, { url: `${sink.url}/down` });

    // The pending message is the older one: when the other is purged, it was past the retention too.
    const pending = await ingest(waiting.app_secret_token, { n: 'pending' });
    const done = await ingest(finished.app_secret_token, { n: 'done' });
    const list = async (accountId: string) =>
      (await request(t.server).get(`/accounts/${accountId}/messages`).set(t.admin).expect(200)).body.data as Array<{ message_id: string; status: string }>;
    await expectEventually(async () => expect(await list(finished.account_id)).toEqual([expect.objectContaining({ message_id: done, status: 'failed' })]), {
      timeoutMs: 10_000,
    });
    expect(await countHistory(done)).toEqual({ messages: 1, deliveries: 2, attempts: 2 });

    await expectEventually(async () => expect(await statusOf(done)).toBe(404), { timeoutMs: 10_000, intervalMs: 100 });
    expect(await countHistory(done)).toEqual({ messages: 0, deliveries: 0, attempts: 0 });
    expect(await list(finished.account_id)).toEqual([]);
    const metrics = (await request(t.server).get('/metrics').expect(200)).text;
    expect(Number(/^data_pusher_messages_purged_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    // Older than the retention, but a delivery is still pending: kept, whole.
    expect(await statusOf(pending)).toBe(200);
    expect(await list(waiting.account_id)).toEqual([expect.objectContaining({ message_id: pending, status: 'pending' })]);
    expect(await countHistory(pending)).toEqual({ messages: 1, deliveries: 1, attempts: 0 });
  }, 30_000);

  it('removes a message whose ingest stopped half-way, once it is clearly abandoned', async () => {
    const { t, sink, countHistory, write } = context();
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/hang` });
    // What a crash in the middle of a big fan-out leaves: the message, some deliveries, more still to write.
    const messageId = randomUUID();
    const receivedAt = Date.now() - 11 * 60_000;
    await write(
      `INSERT INTO messages (id, account_id, payload, received_at, status, deliveries_pending, deliveries_to_create)
       VALUES ($1, $2, '{}', $3, 'pending', 2, 1)`,
      [messageId, account.account_id, receivedAt],
    );
    await write(
      `INSERT INTO deliveries (id, message_id, destination_id, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', 0, $4, $4, $4)`,
      [randomUUID(), messageId, destination.destination_id, receivedAt + 3_600_000],
    );
    expect(await countHistory(messageId)).toEqual({ messages: 1, deliveries: 1, attempts: 0 });
    await expectEventually(async () => expect(await countHistory(messageId)).toEqual({ messages: 0, deliveries: 0, attempts: 0 }), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  });
}

describe('MESSAGE_RETENTION on SQLite', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    sink = await startRetentionSink();
    t = await startTestApp(RETENTION_ENV);
  });
  // The sink first: the attempt it holds ends at once, so the app's shutdown need not wait for it.
  afterAll(async () => {
    await sink.close();
    await t.close();
  });

  retentionTests(() => ({
    t,
    sink,
    write: async (statement, values) => {
      const db = new Database(t.databasePath);
      try {
        const order = [...statement.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]) - 1);
        db.prepare(statement.replace(/\$\d+/g, '?')).run(...order.map((index) => values[index]));
      } finally {
        db.close();
      }
    },
    countHistory: async (messageId) => {
      const db = new Database(t.databasePath, { readonly: true });
      try {
        const row = db.prepare(HISTORY_COUNTS.replaceAll('$1', '?')).get(messageId, messageId, messageId) as Record<string, number>;
        return { messages: row.messages, deliveries: row.deliveries, attempts: row.attempts };
      } finally {
        db.close();
      }
    },
  }));
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('MESSAGE_RETENTION on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    schema = await createTestSchema('retention');
    await schema.client.query(`SET search_path TO "${schema.name}"`);
    sink = await startRetentionSink();
    t = await startTestApp({ ...RETENTION_ENV, DATABASE_URL: schema.url });
  });
  afterAll(async () => {
    await sink.close();
    await t.close();
    await schema.drop();
  });

  retentionTests(() => ({
    t,
    sink,
    write: async (statement, values) => {
      await schema.client.query(statement, values);
    },
    countHistory: async (messageId) => {
      const { rows } = await schema.client.query(HISTORY_COUNTS, [messageId]);
      return { messages: Number(rows[0].messages), deliveries: Number(rows[0].deliveries), attempts: Number(rows[0].attempts) };
    },
  }));
});
