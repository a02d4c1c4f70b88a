import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination, uniqueEmail } from './support/factories.js';
import { startSink } from './support/sink.js';
import { expectOldestFirst, sameIds } from './support/ordering.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCOUNT_FIELDS = ['account_id', 'account_name', 'created_at', 'email', 'ingest_rate_limit', 'updated_at', 'website'];

describe('accounts API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** The account's row as stored, read straight from the SQLite file. */
  function accountRow(id: string): Record<string, unknown> | undefined {
    const db = new Database(t.databasePath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    } finally {
      db.close();
    }
  }

  /** Every problem a 400 lists, after checking the error shape. */
  async function problemsOf(req: request.Test): Promise<string[]> {
    const res = await req.expect(400);
    const messages = expectErrorShape(res.body, 400);
    expect(Array.isArray(res.body.message)).toBe(true);
    return messages;
  }

  describe('POST /accounts', () => {
    it('creates an account and answers 201 with it and its app secret token', async () => {
      const email = uniqueEmail('create');
      const res: request.Response = await request(t.server)
        .post('/accounts')
        .set(t.admin)
        .send({ email, account_name: 'Example Ltd', website: 'https://example.com' })
        .expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        account_id: expect.stringMatching(UUID),
        email,
        account_name: 'Example Ltd',
        website: 'https://example.com',
        ingest_rate_limit: null,
        created_at: expect.stringMatching(ISO_TIME),
        updated_at: expect.stringMatching(ISO_TIME),
        app_secret_token: expect.any(String),
      });
    });

    it('stores the email lower-cased', async () => {
      const email = uniqueEmail('MixedCase');
      const created = await createAccount(t, { email: email.toUpperCase() });
      expect(created.email).toBe(email.toLowerCase());
      const res = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(res.body.email).toBe(email.toLowerCase());
    });

    it('accepts a null website and an omitted one, both read back as null', async () => {
      const withNull = await createAccount(t, { website: null });
      expect(withNull.website).toBeNull();
      const omitted = await createAccount(t);
      expect(omitted.website).toBeNull();
    });

    it('accepts an http website on a host without a TLD', async () => {
      const created = await createAccount(t, { website: 'http://localhost:8080/shop' });
      expect(created.website).toBe('http://localhost:8080/shop');
    });

    it('gives a token of at least 128 bits', async () => {
      const { app_secret_token: token } = await createAccount(t);
      // URL-safe base64: 6 bits per character.
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(token.length * 6).toBeGreaterThanOrEqual(128);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    });

    it('gives every account a different token', async () => {
      const tokens = await Promise.all(Array.from({ length: 5 }, () => createAccount(t)));
      expect(new Set(tokens.map((a) => a.app_secret_token)).size).toBe(5);
    });

    it('stores only a hash of the token, never the token itself', async () => {
      const created = await createAccount(t);
      const row = accountRow(created.account_id) ?? {};
      expect(row.email).toBe(created.email);
      const token = created.app_secret_token;
      // Neither the token's text nor its bytes in another encoding may be anywhere in the row.
      const forms = [token, Buffer.from(token, 'base64url').toString('hex'), Buffer.from(token, 'base64url').toString('base64')];
      for (const value of Object.values(row)) {
        for (const form of forms) expect(String(value).toLowerCase()).not.toContain(form.toLowerCase());
      }
      // What is there instead: a fixed-length digest.
      expect(Object.values(row)).toContainEqual(expect.stringMatching(/^[0-9a-f]{64}$/));
    });

    describe('validation', () => {
      it('rejects a missing email', async () => {
        const problems = await problemsOf(request(t.server).post('/accounts').set(t.admin).send({ account_name: 'A' }));
        expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('email')]));
      });

      it.each(['not-an-email', 'a@', '@example.com', 'a b@example.com', 42, ''])('rejects the email %p', async (email) => {
        const problems = await problemsOf(request(t.server).post('/accounts').set(t.admin).send({ email, account_name: 'A' }));
        expect(problems).toContain('email must be a valid email address');
      });

      it.each([
        ['missing', undefined],
        ['empty', ''],
        ['only spaces', '   '],
        ['201 characters', 'x'.repeat(201)],
        ['not a string', 12],
      ])('rejects an account_name that is %s', async (_, accountName) => {
        const problems = await problemsOf(
          request(t.server).post('/accounts').set(t.admin).send({ email: uniqueEmail(), account_name: accountName }),
        );
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) expect(problem).toMatch(/^account_name /);
      });

      it('accepts an account_name of exactly 200 characters', async () => {
        const created = await createAccount(t, { account_name: 'y'.repeat(200) });
        expect(created.account_name).toBe('y'.repeat(200));
      });

      it.each(['ftp://example.com', 'example.com', 'not a url', 'javascript:alert(1)', 'https://', 42])(
        'rejects the website %p',
        async (website) => {
          const problems = await problemsOf(
            request(t.server).post('/accounts').set(t.admin).send({ email: uniqueEmail(), account_name: 'A', website }),
          );
          expect(problems).toContain('website must be an http(s) URL or null');
        },
      );

      it('rejects an unknown field', async () => {
        const problems = await problemsOf(
          request(t.server).post('/accounts').set(t.admin).send({ email: uniqueEmail(), account_name: 'A', plan: 'gold' }),
        );
        expect(problems).toEqual(['property plan should not exist']);
      });

      it('lists every problem at once', async () => {
        const problems = await problemsOf(
          request(t.server).post('/accounts').set(t.admin).send({ email: 'nope', account_name: '', website: 'ftp://x', extra: 1 }),
        );
        expect(problems).toEqual(
          expect.arrayContaining([
            'email must be a valid email address',
            expect.stringMatching(/^account_name /),
            'website must be an http(s) URL or null',
            'property extra should not exist',
          ]),
        );
      });

      it('rejects a body that is not JSON, in the contract error shape', async () => {
        const res: request.Response = await request(t.server)
          .post('/accounts')
          .set(t.admin)
          .set('Content-Type', 'application/json')
          .send('{"email": "a@example.com", "account_name": ')
          .expect(400);
        expectErrorShape(res.body, 400);
      });

      it('rejects a JSON body that is not an object', async () => {
        const res: request.Response = await request(t.server)
          .post('/accounts')
          .set(t.admin)
          .set('Content-Type', 'application/json')
          .send('["a@example.com"]')
          .expect(400);
        expectErrorShape(res.body, 400);
      });
    });

    it('answers 409 for an email already used', async () => {
      const email = uniqueEmail('dup');
      await createAccount(t, { email });
      const res = await request(t.server).post('/accounts').set(t.admin).send({ email, account_name: 'Again' }).expect(409);
      expect(expectErrorShape(res.body, 409)).toEqual(['An account with this email already exists']);
    });

    it('answers 409 for an email that differs only in case', async () => {
      const email = uniqueEmail('dupcase');
      await createAccount(t, { email });
      const res: request.Response = await request(t.server)
        .post('/accounts')
        .set(t.admin)
        .send({ email: email.toUpperCase(), account_name: 'Again' })
        .expect(409);
      expectErrorShape(res.body, 409);
    });
  });

  it('lets exactly one of two concurrent creates with the same email win', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [email, email.toUpperCase()].map((e) => request(t.server).post('/accounts').set(t.admin).send({ email: e, account_name: 'Race' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const listed = await request(t.server).get('/accounts').query({ email }).set(t.admin).expect(200);
    expect(listed.body.data).toHaveLength(1);
  });

  describe('authentication', () => {
    const routes: Array<[string, string]> = [
      ['POST', '/accounts'],
      ['GET', '/accounts'],
      ['GET', '/accounts/ID'],
      ['PUT', '/accounts/ID'],
      ['PATCH', '/accounts/ID'],
      ['DELETE', '/accounts/ID'],
      ['POST', '/accounts/ID/rotate-token'],
      ['GET', '/accounts/ID/destinations'],
    ];

    function call(method: string, path: string): request.Test {
      const agent = request(t.server);
      switch (method) {
        case 'POST':
          return agent.post(path);
        case 'PUT':
          return agent.put(path);
        case 'PATCH':
          return agent.patch(path);
        case 'DELETE':
          return agent.delete(path);
        default:
          return agent.get(path);
      }
    }

    it.each(routes)('%s %s answers 401 without the admin key, and leaves the account alone', async (method, path) => {
      const account = await createAccount(t);
      const before = accountRow(account.account_id);
      const res = await call(method, path.replace('ID', account.account_id)).send({ email: uniqueEmail(), account_name: 'Hacked' }).expect(401);
      expect(expectErrorShape(res.body, 401)).toEqual([expect.stringContaining('admin API key')]);
      // Not renamed, not deleted, token not rotated.
      expect(accountRow(account.account_id)).toEqual(before);
    });

    it.each([
      ['a wrong key', 'Bearer not-the-admin-key-at-all'],
      ['the key without "Bearer"', 'KEY'],
      ['another scheme', 'Basic KEY'],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 with %s', async (_, header) => {
      const res: request.Response = await request(t.server)
        .get('/accounts')
        .set('Authorization', header.replace('KEY', t.adminKey))
        .expect(401);
      expectErrorShape(res.body, 401);
    });

    it('answers 401 to an app secret token used as the admin key', async () => {
      const account = await createAccount(t);
      const res: request.Response = await request(t.server)
        .get(`/accounts/${account.account_id}`)
        .set('Authorization', `Bearer ${account.app_secret_token}`)
        .expect(401);
      expectErrorShape(res.body, 401);
    });

    it('checks the key before validating the body', async () => {
      const res = await request(t.server).post('/accounts').send({ nonsense: true }).expect(401);
      expectErrorShape(res.body, 401);
    });

    it('accepts the scheme in any case', async () => {
      await request(t.server).get('/accounts').set('Authorization', `bearer ${t.adminKey}`).expect(200);
    });
  });

  describe('GET /accounts/{account_id}', () => {
    it('reads the account without its token or the token hash', async () => {
      const created = await createAccount(t, { website: 'https://shop.example.com' });
      const res = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      const { app_secret_token: token, ...account } = created;
      expect(res.body).toEqual(account);
      expect(Object.keys(res.body).sort()).toEqual(ACCOUNT_FIELDS);
      expect(JSON.stringify(res.body)).not.toContain(token);
      expect(JSON.stringify(res.body)).not.toMatch(/token|hash/i);
    });

    it('answers 404 for an unknown id', async () => {
      const id = randomUUID();
      const res = await request(t.server).get(`/accounts/${id}`).set(t.admin).expect(404);
      expect(expectErrorShape(res.body, 404)).toEqual([expect.stringContaining(id)]);
    });

    it.each(['not-a-uuid', '123', '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5'])('answers 400 for the malformed id %p', async (id) => {
      const res = await request(t.server).get(`/accounts/${id}`).set(t.admin).expect(400);
      expectErrorShape(res.body, 400);
    });

    it('accepts a trailing slash', async () => {
      const created = await createAccount(t);
      const res = await request(t.server).get(`/accounts/${created.account_id}/`).set(t.admin).expect(200);
      expect(res.body.account_id).toBe(created.account_id);
    });
  });

  describe('ids in upper case (UUIDs are case-insensitive)', () => {
    it('finds, changes, rotates and deletes the account by its id in upper case', async () => {
      const created = await createAccount(t);
      const id = created.account_id.toUpperCase();
      expect((await request(t.server).get(`/accounts/${id}`).set(t.admin).expect(200)).body.account_id).toBe(created.account_id);
      await request(t.server).patch(`/accounts/${id}`).set(t.admin).send({ account_name: 'Upper' }).expect(200);
      await request(t.server).put(`/accounts/${id}`).set(t.admin).send({ email: created.email, account_name: 'Upper' }).expect(200);
      await request(t.server).post(`/accounts/${id}/rotate-token`).set(t.admin).expect(200);
      await request(t.server).get(`/accounts/${id}/destinations`).set(t.admin).expect(200);
      await request(t.server).delete(`/accounts/${id}`).set(t.admin).expect(204);
      await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(404);
    });

    it('pages on with a cursor in upper case', async () => {
      const own = await startTestApp();
      try {
        for (let i = 0; i < 3; i++) await createAccount(own);
        const first = await request(own.server).get('/accounts?limit=1').set(own.admin).expect(200);
        const lower = await request(own.server).get(`/accounts?limit=5&cursor=${first.body.next_cursor}`).set(own.admin).expect(200);
        const upper = await request(own.server)
          .get(`/accounts?limit=5&cursor=${String(first.body.next_cursor).toUpperCase()}`)
          .set(own.admin)
          .expect(200);
        expect(upper.body).toEqual(lower.body);
        expect(upper.body.data).toHaveLength(2);
      } finally {
        await own.close();
      }
    });
  });

  describe('PUT /accounts/{account_id}', () => {
    it('replaces every field and turns an omitted website into null', async () => {
      const created = await createAccount(t, { website: 'https://old.example.com' });
      const email = uniqueEmail('replaced');
      const res: request.Response = await request(t.server)
        .put(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: email.toUpperCase(), account_name: 'Replaced' })
        .expect(200);
      expect(res.body).toEqual({
        account_id: created.account_id,
        email,
        account_name: 'Replaced',
        website: null,
        ingest_rate_limit: null,
        created_at: created.created_at,
        updated_at: expect.stringMatching(ISO_TIME),
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(String(created.updated_at)));
      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('sets a given website', async () => {
      const created = await createAccount(t);
      const res: request.Response = await request(t.server)
        .put(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: created.email, account_name: 'Same', website: 'http://new.example.com' })
        .expect(200);
      expect(res.body.website).toBe('http://new.example.com');
    });

    it.each([
      ['email', { account_name: 'Only name' }],
      ['account_name', { email: 'only-email@example.com' }],
    ])('requires %s', async (field, body) => {
      const created = await createAccount(t);
      const problems = await problemsOf(request(t.server).put(`/accounts/${created.account_id}`).set(t.admin).send(body));
      expect(problems.every((p) => p.startsWith(`${field} `))).toBe(true);
      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(read.body.email).toBe(created.email);
    });

    it('rejects invalid values and unknown fields', async () => {
      const created = await createAccount(t);
      const problems = await problemsOf(
        request(t.server)
          .put(`/accounts/${created.account_id}`)
          .set(t.admin)
          .send({ email: 'x', account_name: 'z'.repeat(201), website: 'mailto:a@b.c', app_secret_token: 'mine' }),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'email must be a valid email address',
          expect.stringMatching(/^account_name /),
          'website must be an http(s) URL or null',
          'property app_secret_token should not exist',
        ]),
      );
    });

    it('answers 409 when the new email belongs to another account, in any case', async () => {
      const other = await createAccount(t);
      const created = await createAccount(t);
      const res: request.Response = await request(t.server)
        .put(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: other.email.toUpperCase(), account_name: 'Thief' })
        .expect(409);
      expectErrorShape(res.body, 409);
    });

    it('keeps its own email in another case without a conflict', async () => {
      const created = await createAccount(t);
      const res: request.Response = await request(t.server)
        .put(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: created.email.toUpperCase(), account_name: 'Renamed' })
        .expect(200);
      expect(res.body.email).toBe(created.email);
    });

    it('answers 404 for an unknown id', async () => {
      const res: request.Response = await request(t.server)
        .put(`/accounts/${randomUUID()}`)
        .set(t.admin)
        .send({ email: uniqueEmail(), account_name: 'Nobody' })
        .expect(404);
      expectErrorShape(res.body, 404);
    });

    it('answers 400 for a malformed id', async () => {
      await request(t.server).put('/accounts/nope').set(t.admin).send({ email: uniqueEmail(), account_name: 'N' }).expect(400);
    });

    it('accepts a trailing slash', async () => {
      const created = await createAccount(t);
      await request(t.server)
        .put(`/accounts/${created.account_id}/`)
        .set(t.admin)
        .send({ email: created.email, account_name: 'Slash' })
        .expect(200);
    });
  });

  describe('PATCH /accounts/{account_id}', () => {
    it('changes only the fields given', async () => {
      const created = await createAccount(t, { account_name: 'Before', website: 'https://keep.example.com' });
      const res: request.Response = await request(t.server)
        .patch(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ account_name: 'After' })
        .expect(200);
      expect(res.body).toEqual({
        account_id: created.account_id,
        email: created.email,
        account_name: 'After',
        website: 'https://keep.example.com',
        ingest_rate_limit: null,
        created_at: created.created_at,
        updated_at: expect.stringMatching(ISO_TIME),
      });
      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('lower-cases a new email and can clear the website with null', async () => {
      const created = await createAccount(t, { website: 'https://gone.example.com' });
      const email = uniqueEmail('Patched');
      const res: request.Response = await request(t.server)
        .patch(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: email.toUpperCase(), website: null })
        .expect(200);
      expect(res.body.email).toBe(email.toLowerCase());
      expect(res.body.website).toBeNull();
      expect(res.body.account_name).toBe(created.account_name);
    });

    it('accepts an empty body and changes nothing', async () => {
      const created = await createAccount(t);
      const res = await request(t.server).patch(`/accounts/${created.account_id}`).set(t.admin).send({}).expect(200);
      expect(res.body.email).toBe(created.email);
      expect(res.body.account_name).toBe(created.account_name);
    });

    it.each([
      ['an invalid email', { email: 'bad' }],
      ['a null email', { email: null }],
      ['an empty account_name', { account_name: '' }],
      ['a null account_name', { account_name: null }],
      ['a long account_name', { account_name: 'q'.repeat(201) }],
      ['a website that is not http(s)', { website: 'ftp://files.example.com' }],
      ['an unknown field', { token_hash: 'x' }],
    ])('rejects %s and leaves the account as it was', async (_, body) => {
      const created = await createAccount(t);
      await problemsOf(request(t.server).patch(`/accounts/${created.account_id}`).set(t.admin).send(body));
      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      const { app_secret_token: _token, ...account } = created;
      expect(read.body).toEqual(account);
    });

    it('answers 409 when the new email belongs to another account, in any case', async () => {
      const other = await createAccount(t);
      const created = await createAccount(t);
      const res: request.Response = await request(t.server)
        .patch(`/accounts/${created.account_id}`)
        .set(t.admin)
        .send({ email: other.email.toUpperCase() })
        .expect(409);
      expect(expectErrorShape(res.body, 409)).toEqual(['An account with this email already exists']);
      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(read.body.email).toBe(created.email);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expectErrorShape((await request(t.server).patch(`/accounts/${randomUUID()}`).set(t.admin).send({}).expect(404)).body, 404);
      expectErrorShape((await request(t.server).patch('/accounts/xyz').set(t.admin).send({}).expect(400)).body, 400);
    });

    it('accepts a trailing slash', async () => {
      const created = await createAccount(t);
      const res = await request(t.server).patch(`/accounts/${created.account_id}/`).set(t.admin).send({ account_name: 'S' }).expect(200);
      expect(res.body.account_name).toBe('S');
    });
  });

  describe('DELETE /accounts/{account_id}', () => {
    it('answers 204 with no body, after which the account is gone', async () => {
      const created = await createAccount(t);
      const res = await request(t.server).delete(`/accounts/${created.account_id}`).set(t.admin).expect(204);
      expect(res.text).toBe('');
      expectErrorShape((await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).delete(`/accounts/${created.account_id}`).set(t.admin).expect(404)).body, 404);
    });

    it('deletes its destinations, messages, deliveries and attempts with it', async () => {
      const sink = await startSink();
      try {
        const created = await createAccount(t);
        const other = await createAccount(t);
        for (const account of [created, other]) {
          await createDestination(t, account.account_id, { url: `${sink.url}/cascade` });
          await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
        }
        const db = new Database(t.databasePath, { readonly: true });
        try {
          const rowsOf = (accountId: string) => ({
            destinations: db.prepare('SELECT COUNT(*) AS n FROM destinations WHERE account_id = ?').get(accountId),
            messages: db.prepare('SELECT COUNT(*) AS n FROM messages WHERE account_id = ?').get(accountId),
            deliveries: db.prepare('SELECT COUNT(*) AS n FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.account_id = ?').get(accountId),
            attempts: db
              .prepare('SELECT COUNT(*) AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN destinations t ON t.id = d.destination_id WHERE t.account_id = ?')
              .get(accountId),
          });
          const one = { n: 1 };
          await expectEventually(() => expect(rowsOf(created.account_id)).toEqual({ destinations: one, messages: one, deliveries: one, attempts: one }));
          await expectEventually(() => expect(rowsOf(other.account_id).attempts).toEqual(one));

          await request(t.server).delete(`/accounts/${created.account_id}`).set(t.admin).expect(204);
          const none = { n: 0 };
          expect(rowsOf(created.account_id)).toEqual({ destinations: none, messages: none, deliveries: none, attempts: none });
          expect(db.prepare('SELECT COUNT(*) AS n FROM delivery_attempts WHERE delivery_id NOT IN (SELECT id FROM deliveries)').get()).toEqual(none);
          // Another account's rows stay.
          expect(rowsOf(other.account_id)).toEqual({ destinations: one, messages: one, deliveries: one, attempts: one });
        } finally {
          db.close();
        }
      } finally {
        await sink.close();
      }
    });

    it('frees the email for a new account', async () => {
      const created = await createAccount(t);
      await request(t.server).delete(`/accounts/${created.account_id}`).set(t.admin).expect(204);
      const again = await createAccount(t, { email: created.email });
      expect(again.account_id).not.toBe(created.account_id);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expectErrorShape((await request(t.server).delete(`/accounts/${randomUUID()}`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).delete('/accounts/1').set(t.admin).expect(400)).body, 400);
    });

    it('accepts a trailing slash', async () => {
      const created = await createAccount(t);
      await request(t.server).delete(`/accounts/${created.account_id}/`).set(t.admin).expect(204);
      await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(404);
    });
  });

  describe('POST /accounts/{account_id}/rotate-token', () => {
    const storedTokenHash = (accountId: string) => String(accountRow(accountId)?.token_hash);

    it('answers 200 with a new token, which is stored as a hash and never read back', async () => {
      const created = await createAccount(t);
      const hashBefore = storedTokenHash(created.account_id);
      const res = await request(t.server).post(`/accounts/${created.account_id}/rotate-token`).set(t.admin).expect(200);
      expect(res.body).toEqual({ app_secret_token: expect.any(String) });
      const token = res.body.app_secret_token as string;
      expect(token).not.toBe(created.app_secret_token);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

      // The stored hash changed (the old token can no longer match it) and neither token is in the row.
      const hashAfter = storedTokenHash(created.account_id);
      expect(hashAfter).not.toBe(hashBefore);
      expect(hashAfter).not.toContain(token);

      const read = await request(t.server).get(`/accounts/${created.account_id}`).set(t.admin).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(token);
      expect(read.body).not.toHaveProperty('app_secret_token');
    });

    it('gives a different token on every rotation', async () => {
      const created = await createAccount(t);
      const first = await request(t.server).post(`/accounts/${created.account_id}/rotate-token`).set(t.admin).expect(200);
      const second = await request(t.server).post(`/accounts/${created.account_id}/rotate-token`).set(t.admin).expect(200);
      expect(new Set([created.app_secret_token, first.body.app_secret_token, second.body.app_secret_token]).size).toBe(3);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expectErrorShape((await request(t.server).post(`/accounts/${randomUUID()}/rotate-token`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).post('/accounts/abc/rotate-token').set(t.admin).expect(400)).body, 400);
    });

    it('accepts a trailing slash', async () => {
      const created = await createAccount(t);
      await request(t.server).post(`/accounts/${created.account_id}/rotate-token/`).set(t.admin).expect(200);
    });
  });

  describe('GET /accounts', () => {
    /** Pages through `/accounts?<query>` and returns every page, checking each one's shape. */
    async function allPages(query: Record<string, string>): Promise<Array<{ data: Array<{ account_id: string }>; next_cursor: string | null }>> {
      const pages = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.server)
          .get('/accounts')
          .query({ ...query, ...(cursor ? { cursor } : {}) })
          .set(t.admin)
          .expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'next_cursor']);
        pages.push(res.body);
        cursor = res.body.next_cursor;
        expect(pages.length).toBeLessThan(1000);
      } while (cursor !== null);
      return pages;
    }

    it('pages through every account with limit and next_cursor, without duplicates', async () => {
      // A database of its own, so the count of accounts is known.
      const own = await startTestApp();
      try {
        const created = [];
        for (let i = 0; i < 5; i++) created.push(await createAccount(own));
        const page = async (cursor?: string) =>
          (
            await request(own.server)
              .get('/accounts')
              .query({ limit: '2', ...(cursor ? { cursor } : {}) })
              .set(own.admin)
              .expect(200)
          ).body as { data: Array<{ account_id: string; created_at: string }>; next_cursor: string | null };
        const first = await page();
        const second = await page(first.next_cursor ?? undefined);
        const third = await page(second.next_cursor ?? undefined);
        expect([first.data.length, second.data.length, third.data.length]).toEqual([2, 2, 1]);
        expect(first.next_cursor).toEqual(expect.any(String));
        expect(second.next_cursor).toEqual(expect.any(String));
        expect(third.next_cursor).toBeNull();
        const ids = [...first.data, ...second.data, ...third.data].map((a) => a.account_id);
        expect(new Set(ids).size).toBe(5);
        expect(sameIds(ids)).toEqual(sameIds(created.map((a) => a.account_id)));
        expectOldestFirst([...first.data, ...second.data, ...third.data]);
        for (const account of [...first.data, ...second.data, ...third.data]) {
          expect(Object.keys(account).sort()).toEqual(ACCOUNT_FIELDS);
        }
      } finally {
        await own.close();
      }
    });

    it('gives next_cursor null when the last page is exactly full', async () => {
      const own = await startTestApp();
      try {
        for (let i = 0; i < 4; i++) await createAccount(own);
        const first = await request(own.server).get('/accounts?limit=2').set(own.admin).expect(200);
        const second = await request(own.server).get(`/accounts?limit=2&cursor=${first.body.next_cursor}`).set(own.admin).expect(200);
        expect(second.body.data).toHaveLength(2);
        expect(second.body.next_cursor).toBeNull();
        const all = await request(own.server).get('/accounts').set(own.admin).expect(200);
        expect(all.body.data).toHaveLength(4);
        expect(all.body.next_cursor).toBeNull();
      } finally {
        await own.close();
      }
    });

    it('returns an empty page for an empty database', async () => {
      const own = await startTestApp();
      try {
        const res = await request(own.server).get('/accounts').set(own.admin).expect(200);
        expect(res.body).toEqual({ data: [], next_cursor: null });
      } finally {
        await own.close();
      }
    });

    it('lists every account of this database across pages, each once', async () => {
      const mine = [await createAccount(t), await createAccount(t), await createAccount(t)];
      const pages = await allPages({ limit: '1' });
      const ids = pages.flatMap((p) => p.data.map((a) => a.account_id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(mine.map((a) => a.account_id)));
      expect(pages.at(-1)?.next_cursor).toBeNull();
    });

    it('defaults to 50 per page and allows 100', async () => {
      const own = await startTestApp();
      try {
        await Promise.all(Array.from({ length: 101 }, () => createAccount(own)));
        const byDefault = await request(own.server).get('/accounts').set(own.admin).expect(200);
        expect(byDefault.body.data).toHaveLength(50);
        expect(byDefault.body.next_cursor).toEqual(expect.any(String));
        const max = await request(own.server).get('/accounts?limit=100').set(own.admin).expect(200);
        expect(max.body.data).toHaveLength(100);
        const rest = await request(own.server).get(`/accounts?limit=100&cursor=${max.body.next_cursor}`).set(own.admin).expect(200);
        expect(rest.body.data).toHaveLength(1);
        expect(rest.body.next_cursor).toBeNull();
      } finally {
        await own.close();
      }
    });

    it.each(['0', '101', 'abc', '-1', '1.5', ''])('answers 400 for limit=%p', async (limit) => {
      const res = await request(t.server).get('/accounts').query({ limit }).set(t.admin).expect(400);
      expect(expectErrorShape(res.body, 400).some((m) => m.startsWith('limit '))).toBe(true);
    });

    it.each(['garbage', '12345', "' OR 1=1 --"])('answers 400 for cursor=%p', async (cursor) => {
      const res = await request(t.server).get('/accounts').query({ cursor }).set(t.admin).expect(400);
      expect(expectErrorShape(res.body, 400)).toContain('cursor must be a next_cursor returned by a previous page');
    });

    it('answers 400 for an unknown query parameter', async () => {
      const res = await request(t.server).get('/accounts?sort=desc').set(t.admin).expect(400);
      expectErrorShape(res.body, 400);
    });

    it('filters by email in any case', async () => {
      const email = uniqueEmail('filter');
      const target = await createAccount(t, { email });
      await createAccount(t);
      for (const asked of [email, email.toUpperCase()]) {
        const res = await request(t.server).get('/accounts').query({ email: asked }).set(t.admin).expect(200);
        expect(res.body.data.map((a: { account_id: string }) => a.account_id)).toEqual([target.account_id]);
        expect(res.body.next_cursor).toBeNull();
      }
      const none = await request(t.server).get('/accounts').query({ email: uniqueEmail('nobody') }).set(t.admin).expect(200);
      expect(none.body).toEqual({ data: [], next_cursor: null });
    });

    it('answers 400 for an email filter that is not an address', async () => {
      const res = await request(t.server).get('/accounts?email=not-an-address').set(t.admin).expect(400);
      expectErrorShape(res.body, 400);
    });

    it('accepts a trailing slash, with and without a query', async () => {
      const created = await createAccount(t);
      await request(t.server).get('/accounts/').set(t.admin).expect(200);
      const res = await request(t.server).get(`/accounts/?email=${encodeURIComponent(created.email)}`).set(t.admin).expect(200);
      expect(res.body.data).toHaveLength(1);
    });

    it('accepts POST with a trailing slash', async () => {
      const res = await request(t.server).post('/accounts/').set(t.admin).send({ email: uniqueEmail(), account_name: 'Slash' }).expect(201);
      expect(res.body.app_secret_token).toEqual(expect.any(String));
    });
  });
});
