import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, createDestination, uniqueEmail } from './support/factories.js';
import { requirePostgres, TEST_POSTGRES_URL } from './support/require-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const describeWithPostgres = await requirePostgres();

/** TEST_POSTGRES_URL with `options=-c search_path=<schema>`: every connection of the app's pool uses the schema. */
function urlWithSearchPath(schema: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

describeWithPostgres('migrations and the management API on PostgreSQL', () => {
  // A schema of its own per run: nothing shared with other runs or with data already in the database.
  const schema = `e2e_${Date.now()}_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  let t: TestApp;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    t = await startTestApp({ DATABASE_URL: urlWithSearchPath(schema) });
  });

  afterAll(async () => {
    await t?.close();
    if (admin) {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('creates every table in the new schema and records the migrations there', async () => {
    const tables = await admin.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    const names = tables.rows.map((row) => row.table_name);
    expect(names).toEqual(expect.arrayContaining(['accounts', 'destinations', 'migrations']));

    const migrations = await admin.query<{ name: string }>(`SELECT name FROM "${schema}".migrations ORDER BY id`);
    expect(migrations.rows.map((row) => row.name)).toContain('AccountsAndDestinations1763830000000');
  });

  it('uses native types and the constraints the migration declares', async () => {
    const columns = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = $1 AND table_name IN ('accounts', 'destinations') AND column_name IN ('id', 'account_id', 'created_at')`,
      [schema],
    );
    expect(columns.rows).toHaveLength(5);
    expect(columns.rows).toEqual(
      expect.arrayContaining([
        { table_name: 'accounts', column_name: 'id', data_type: 'uuid' },
        { table_name: 'accounts', column_name: 'created_at', data_type: 'bigint' },
        { table_name: 'destinations', column_name: 'id', data_type: 'uuid' },
        { table_name: 'destinations', column_name: 'account_id', data_type: 'uuid' },
        { table_name: 'destinations', column_name: 'created_at', data_type: 'bigint' },
      ]),
    );
    const foreignKeys = await admin.query<{ delete_rule: string }>(
      `SELECT rc.delete_rule FROM information_schema.referential_constraints rc
        JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name AND tc.constraint_schema = rc.constraint_schema
       WHERE tc.table_schema = $1 AND tc.table_name = 'destinations' AND tc.constraint_type = 'FOREIGN KEY'`,
      [schema],
    );
    expect(foreignKeys.rows).toEqual([{ delete_rule: 'CASCADE' }]);
  });

  it('answers health', async () => {
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('round-trips accounts and destinations, rejects a duplicate email in another case, and cascades deletes', async () => {
    const email = uniqueEmail('Postgres');
    const account = await createAccount(t, { email: email.toUpperCase(), website: 'https://pg.example.com' });
    expect(account.email).toBe(email.toLowerCase());

    const read = await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(200);
    const { app_secret_token: token, ...expected } = account;
    expect(read.body).toEqual(expected);

    const stored = await admin.query(`SELECT * FROM "${schema}".accounts WHERE id = $1`, [account.account_id]);
    expect(stored.rows).toHaveLength(1);
    expect(JSON.stringify(stored.rows[0])).not.toContain(token);

    const duplicate = await request(t.server)
      .post('/accounts')
      .set(t.admin)
      .send({ email: email.toLowerCase(), account_name: 'Twin' })
      .expect(409);
    expect(expectErrorShape(duplicate.body, 409)).toEqual(['An account with this email already exists']);

    const other = await createAccount(t);
    const patchConflict = await request(t.server)
      .patch(`/accounts/${other.account_id}`)
      .set(t.admin)
      .send({ email: email.toUpperCase() })
      .expect(409);
    expectErrorShape(patchConflict.body, 409);

    const patched = await request(t.server)
      .patch(`/accounts/${account.account_id}`)
      .set(t.admin)
      .send({ account_name: 'Renamed on Postgres', website: null })
      .expect(200);
    expect(patched.body).toMatchObject({ account_name: 'Renamed on Postgres', website: null, created_at: account.created_at });

    const headers = { 'X-Api-Key': 'secret', Accept: '*/*' };
    const destination = await createDestination(t, account.account_id, { http_method: 'patch', headers });
    expect(destination).toMatchObject({ account_id: account.account_id, http_method: 'PATCH', headers });
    const second = await createDestination(t, account.account_id, { url: 'http://second.example.com/hook' });
    const kept = await createDestination(t, other.account_id);

    const listed = await request(t.server).get(`/accounts/${account.account_id}/destinations?limit=1`).set(t.admin).expect(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.next_cursor).toEqual(expect.any(String));
    const rest = await request(t.server)
      .get(`/destinations?account_id=${account.account_id}&limit=1&cursor=${listed.body.next_cursor}`)
      .set(t.admin)
      .expect(200);
    expect(rest.body.next_cursor).toBeNull();
    expect([...listed.body.data, ...rest.body.data]).toEqual(expect.arrayContaining([destination, second]));
    expect(rest.body.data).toHaveLength(1);

    const replaced = await request(t.server)
      .put(`/destinations/${destination.destination_id}`)
      .set(t.admin)
      .send({ url: 'https://replaced.example.com', http_method: 'delete', headers: {} })
      .expect(200);
    expect(replaced.body).toMatchObject({ url: 'https://replaced.example.com', http_method: 'DELETE', headers: {} });

    const filtered = await request(t.server).get('/accounts').query({ email: email.toUpperCase() }).set(t.admin).expect(200);
    expect(filtered.body.data.map((a: { account_id: string }) => a.account_id)).toEqual([account.account_id]);

    const countFor = async (accountId: string) =>
      Number((await admin.query(`SELECT COUNT(*) AS n FROM "${schema}".destinations WHERE account_id = $1`, [accountId])).rows[0].n);
    expect(await countFor(account.account_id)).toBe(2);

    await request(t.server).delete(`/accounts/${account.account_id}`).set(t.admin).expect(204);
    expect(await countFor(account.account_id)).toBe(0);
    expect(await countFor(other.account_id)).toBe(1);
    await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(404);
    await request(t.server).get(`/destinations/${kept.destination_id}`).set(t.admin).expect(200);

    // The email is free again once its account is gone.
    await createAccount(t, { email });
  });

  it('paginates accounts by id', async () => {
    const created = [await createAccount(t), await createAccount(t), await createAccount(t)];
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.server)
        .get('/accounts')
        .query({ limit: '2', ...(cursor ? { cursor } : {}) })
        .set(t.admin)
        .expect(200);
      ids.push(...res.body.data.map((a: { account_id: string }) => a.account_id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(created.map((a) => a.account_id)));
  });
});
