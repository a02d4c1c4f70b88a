import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { buildDataSourceOptions } from '../src/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { type Sql, SqlRunner } from '../src/database/sql.js';
import { claimDeliveries } from '../src/delivery/delivery-store.sql.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { startSink } from './support/sink.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const describeWithPostgres = await requirePostgres();

describeWithPostgres('the database as a queue, on PostgreSQL', () => {
  let schema: TestSchema;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('claims');
    await schema.client.query(`SET search_path TO "${schema.name}"`);
    await claimer();
    await runMigrations(dataSources[0]);
  });
  afterAll(async () => {
    await Promise.all(dataSources.map((ds) => ds.destroy()));
    await schema?.drop();
  });

  /** A claimer with a connection pool of its own, as another worker process would have. */
  async function claimer(): Promise<SqlRunner> {
    const dataSource = await new DataSource(
      buildDataSourceOptions({ kind: 'postgres', url: schema.url, poolSize: 4 }),
    ).initialize();
    dataSources.push(dataSource);
    return new SqlRunner(dataSource);
  }

  async function insertPendingDeliveries(count: number, leasedUntil: number | null = null): Promise<{ ids: string[]; destinationId: string }> {
    const accountId = randomUUID();
    const destinationId = randomUUID();
    const messageId = randomUUID();
    const now = Date.now();
    await schema.client.query(
      `INSERT INTO accounts (id, email, account_name, token_hash, created_at, updated_at) VALUES ($1, $2, 'x', $3, $4, $4)`,
      [accountId, `${accountId}@example.com`, accountId.replace(/-/g, '').padEnd(64, '0'), now],
    );
    await schema.client.query(
      `INSERT INTO destinations (id, account_id, url, http_method, headers, signing_secret, created_at, updated_at)
       VALUES ($1, $2, 'http://127.0.0.1:9/x', 'POST', '{}', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', $3, $3)`,
      [destinationId, accountId, now],
    );
    await schema.client.query(`INSERT INTO messages (id, account_id, payload, received_at) VALUES ($1, $2, '{}', $3)`, [messageId, accountId, now]);
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) {
      await schema.client.query(
        `INSERT INTO deliveries (id, message_id, destination_id, status, attempts, next_attempt_at, leased_until, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $4, $4)`,
        [id, messageId, destinationId, now - 1000, leasedUntil],
      );
    }
    return { ids, destinationId };
  }

  it('never gives one delivery to two concurrent claimers', async () => {
    const [first, second, third] = await Promise.all([claimer(), claimer(), claimer()]);
    const { ids, destinationId } = await insertPendingDeliveries(300);

    const claimedBy = await Promise.all(
      [first, second, third].map(async (runner) => {
        const mine: string[] = [];
        for (;;) {
          const now = Date.now();
          // As the scheduler claims: one statement on its own, no transaction around it (SqlRunner.run).
          const jobs = await runner.run(() => claimDeliveries(new Map([[destinationId, 7]]), now, now + 60_000, 'postgres'));
          if (!jobs.length) return mine;
          mine.push(...jobs.map((job) => job.deliveryId));
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all.length).toBe(new Set(all).size);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(claimedBy.every((mine) => mine.length > 0)).toBe(true);
  });

  it('claims a delivery again once its lease has expired, and not before', async () => {
    const runner = await claimer();
    const expired = await insertPendingDeliveries(1, Date.now() - 1);
    const live = await insertPendingDeliveries(1, Date.now() + 60_000);
    const now = Date.now();
    const plan = new Map([
      [expired.destinationId, 100],
      [live.destinationId, 100],
    ]);
    const jobs = await runner.run(() => claimDeliveries(plan, now, now + 60_000, 'postgres'));
    const claimed = jobs.map((job) => job.deliveryId);
    expect(claimed).toContain(expired.ids[0]);
    expect(claimed).not.toContain(live.ids[0]);
  });

  it('uses the partial index of pending deliveries by destination for the claim', async () => {
    // The statement the scheduler runs, taken from the delivery store (its first and, on Postgres, only one).
    const now = Date.now();
    const plan = new Map([
      [randomUUID(), 64],
      [randomUUID(), 8],
    ]);
    const claim = claimDeliveries(plan, now, now + 60_000, 'postgres').next();
    expect(claim.done).toBe(false);
    const statement = claim.value as Sql;
    // A table this small would be scanned whole; the question is whether the claim can use the index at all.
    await schema.client.query('SET enable_seqscan = off');
    try {
      const { rows } = await schema.client.query(`EXPLAIN ${statement.text}`, statement.values);
      expect(rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')).toContain('IDX_deliveries_pending_destination');
    } finally {
      await schema.client.query('RESET enable_seqscan');
    }
  });
});

describeWithPostgres('ingest on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  beforeAll(async () => {
    schema = await createTestSchema('ingest');
    t = await startTestApp({ DATABASE_URL: schema.url });
  });
  afterAll(async () => {
    await t?.close();
    await schema?.drop();
  });

  it('has the message and its deliveries committed when the 202 arrives (read from another connection)', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id);
    await createDestination(t, account.account_id, { http_method: 'GET' });
    const res = await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    const { rows } = await schema.client.query(
      `SELECT m.payload, COUNT(d.id) AS n FROM "${schema.name}".messages m JOIN "${schema.name}".deliveries d ON d.message_id = m.id
        WHERE m.id = $1 GROUP BY m.payload`,
      [res.body.message_id],
    );
    expect(rows.map((row) => [row.payload, Number(row.n)])).toEqual([['{"a":1}', 2]]);
  });

  it('records an answer holding a NUL byte (Postgres text cannot) without holding up other deliveries', async () => {
    const target = await startSink((req) => (req.path === '/binary' ? { status: 200, body: 'bin\u0000ary' } : { status: 200, body: 'ok' }));
    try {
      const account = await createAccount(t);
      await createDestination(t, account.account_id, { url: `${target.url}/binary` });
      await createDestination(t, account.account_id, { url: `${target.url}/plain` });
      const res = await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
      const deliveries = await expectEventually(async () => {
        const view = await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200);
        expect(view.body.deliveries.map((d: { status: string }) => d.status)).toEqual(['succeeded', 'succeeded']);
        return view.body.deliveries as Array<{ history: Array<{ response_body: string }> }>;
      });
      expect(deliveries.flatMap((d) => d.history.map((h) => h.response_body)).sort()).toEqual(['bin\uFFFDary', 'ok']);
      expect(target.received).toHaveLength(2);
    } finally {
      await target.close();
    }
  });

  it('deletes an account with its destinations, messages, deliveries and attempts', async () => {
    const target = await startSink();
    try {
      const account = await createAccount(t);
      await createDestination(t, account.account_id, { url: `${target.url}/cascade` });
      const res = await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
      const count = async () => {
        const { rows } = await schema.client.query(
          `SELECT (SELECT COUNT(*) FROM "${schema.name}".destinations WHERE account_id = $1) AS destinations,
                  (SELECT COUNT(*) FROM "${schema.name}".messages WHERE account_id = $1) AS messages,
                  (SELECT COUNT(*) FROM "${schema.name}".deliveries WHERE message_id = $2) AS deliveries,
                  (SELECT COUNT(*) FROM "${schema.name}".delivery_attempts a
                     JOIN "${schema.name}".deliveries d ON d.id = a.delivery_id WHERE d.message_id = $2) AS attempts`,
          [account.account_id, res.body.message_id],
        );
        return Object.fromEntries(Object.entries(rows[0] as Record<string, string>).map(([k, v]) => [k, Number(v)]));
      };
      await expectEventually(async () => expect(await count()).toEqual({ destinations: 1, messages: 1, deliveries: 1, attempts: 1 }));
      await request(t.server).delete(`/accounts/${account.account_id}`).set(t.admin).expect(204);
      expect(await count()).toEqual({ destinations: 0, messages: 0, deliveries: 0, attempts: 0 });
      const { rows } = await schema.client.query(
        `SELECT COUNT(*) AS n FROM "${schema.name}".delivery_attempts WHERE delivery_id NOT IN (SELECT id FROM "${schema.name}".deliveries)`,
      );
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('keeps one message per Idempotency-Key under concurrent duplicates', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).set('Idempotency-Key', 'pg-dup').send({ a: 1 }),
      ),
    );
    expect(answers.every((a) => a.status === 202 && a.body.destinations === 1)).toBe(true);
    expect(new Set(answers.map((a) => a.body.message_id)).size).toBe(1);
  });
});
