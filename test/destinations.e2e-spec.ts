import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, createDestination } from './support/factories.js';
import { expectOldestFirst, sameIds } from './support/ordering.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DESTINATION_FIELDS = [
  'account_id',
  'created_at',
  'destination_id',
  'disabled_at',
  'disabled_reason',
  'enabled',
  'event_types',
  'headers',
  'http_method',
  'max_in_flight',
  'previous_secret_expires_at',
  'rate_limit',
  'retry_schedule',
  'signing_secret',
  'updated_at',
  'url',
];

describe('destinations API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function valid(accountId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
    return { account_id: accountId, url: 'https://hooks.example.com/in', http_method: 'POST', headers: {}, ...fields };
  }

  /** Every problem a 400 lists, after checking the error shape. */
  async function problemsOf(req: request.Test): Promise<string[]> {
    const res = await req.expect(400);
    const messages = expectErrorShape(res.body, 400);
    expect(Array.isArray(res.body.message)).toBe(true);
    return messages;
  }

  function countDestinationRows(accountId: string): number {
    const db = new Database(t.databasePath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM destinations WHERE account_id = ?').get(accountId) as { n: number }).n;
    } finally {
      db.close();
    }
  }

  describe('POST /destinations', () => {
    it('creates a destination: 201, upper-case method, server-made signing secret', async () => {
      const account = await createAccount(t);
      const headers = { APP_ID: '1234APPID1234', 'Content-Type': 'application/json', Accept: '*' };
      const res: request.Response = await request(t.server)
        .post('/destinations')
        .set(t.admin)
        .send(valid(account.account_id, { url: 'https://hooks.example.com/in?x=1', http_method: 'post', headers }))
        .expect(201);
      expect(res.body).toEqual({
        destination_id: expect.stringMatching(UUID),
        account_id: account.account_id,
        url: 'https://hooks.example.com/in?x=1',
        http_method: 'POST',
        headers,
        signing_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
        previous_secret_expires_at: null,
        event_types: null,
        enabled: true,
        disabled_reason: null,
        disabled_at: null,
        rate_limit: null,
        max_in_flight: null,
        retry_schedule: null,
        created_at: expect.stringMatching(ISO_TIME),
        updated_at: expect.stringMatching(ISO_TIME),
      });
      const secretBytes = Buffer.from(res.body.signing_secret.slice('whsec_'.length), 'base64');
      expect(secretBytes.length).toBeGreaterThanOrEqual(24);
    });

    it.each(['get', 'Post', 'PUT', 'pAtCh', 'delete'])('takes the method %p in any case and answers it in upper case', async (method) => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { http_method: method });
      expect(created.http_method).toBe(method.toUpperCase());
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body.http_method).toBe(method.toUpperCase());
    });

    it('gives every destination its own signing secret', async () => {
      const account = await createAccount(t);
      const secrets = await Promise.all(Array.from({ length: 5 }, () => createDestination(t, account.account_id)));
      expect(new Set(secrets.map((d) => d.signing_secret)).size).toBe(5);
    });

    it('rejects a signing_secret chosen by the client: the server makes it', async () => {
      const account = await createAccount(t);
      const problems = await problemsOf(
        request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { signing_secret: 'whsec_mine' })),
      );
      expect(problems).toEqual(['property signing_secret should not exist']);
    });

    it('accepts many headers and an empty object', async () => {
      const account = await createAccount(t);
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`X-Header-${i}`, `value ${i}`]));
      const created = await createDestination(t, account.account_id, { headers: many });
      expect(created.headers).toEqual(many);
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body.headers).toEqual(many);
      expect((await createDestination(t, account.account_id, { headers: {} })).headers).toEqual({});
    });

    it('accepts an http url on localhost with a port', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { url: 'http://127.0.0.1:8080/hook' });
      expect(created.url).toBe('http://127.0.0.1:8080/hook');
    });

    it('answers 404 for an unknown account and stores nothing', async () => {
      const accountId = randomUUID();
      const res = await request(t.server).post('/destinations').set(t.admin).send(valid(accountId)).expect(404);
      expect(expectErrorShape(res.body, 404)).toEqual([expect.stringContaining(accountId)]);
      expect(countDestinationRows(accountId)).toBe(0);
    });

    it('answers 400 for a malformed account_id', async () => {
      const problems = await problemsOf(request(t.server).post('/destinations').set(t.admin).send(valid('acct-1')));
      expect(problems).toEqual(['account_id must be a UUID']);
    });

    describe('validation', () => {
      it('lists each header problem, and every other problem, as its own message', async () => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server)
            .post('/destinations')
            .set(t.admin)
            .send(valid(account.account_id, { url: 'nope', headers: { Host: 'x', 'Bad Name': 'y' } })),
        );
        expect(problems).toEqual(
          expect.arrayContaining([
            'url must be an absolute http(s) URL',
            'headers: "Host" is set by the HTTP client and may not be stored',
            'headers: "Bad Name" is not a valid HTTP header name',
          ]),
        );
      });

      it.each([
        ['missing', undefined],
        ['relative', '/hooks/in'],
        ['without a scheme', 'hooks.example.com/in'],
        ['ftp', 'ftp://hooks.example.com/in'],
        ['file', 'file:///etc/passwd'],
        ['javascript', 'javascript:alert(1)'],
        ['not a string', 42],
        ['empty', ''],
      ])('rejects a url that is %s', async (_, url) => {
        const account = await createAccount(t);
        const problems = await problemsOf(request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { url })));
        expect(problems).toEqual([url === undefined ? 'url is required' : 'url must be an absolute http(s) URL']);
      });

      it.each([undefined, 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'POSTS', '', 1])('rejects the http_method %p', async (method) => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { http_method: method })),
        );
        expect(problems).toEqual([method === undefined ? 'http_method is required' : 'http_method must be one of GET, POST, PUT, PATCH, DELETE']);
      });

      it.each([
        ['missing', undefined],
        ['null', null],
        ['an array', [['X-A', 'b']]],
        ['a string', 'X-A: b'],
        ['a number', 7],
      ])('rejects headers that are %s', async (_, headers) => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { headers })),
        );
        expect(problems).toEqual([headers === undefined ? 'headers is required' : 'headers must be a JSON object of header name to string value']);
      });

      it.each([
        ['a number', 5],
        ['a boolean', true],
        ['null', null],
        ['an object', { nested: 'x' }],
        ['an array', ['a', 'b']],
      ])('rejects a header value that is %s', async (_, value) => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { headers: { 'X-Value': value } })),
        );
        expect(problems).toEqual([expect.stringContaining('"X-Value" must be a string')]);
      });

      it('rejects a header value that would split into a second header', async () => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server)
            .post('/destinations')
            .set(t.admin)
            .send(valid(account.account_id, { headers: { 'X-Split': 'a\r\nEvil: 1' } })),
        );
        expect(problems).toEqual([expect.stringContaining('"X-Split"')]);
      });

      it('accepts Latin-1 and tabs in a header value, and rejects what HTTP cannot carry', async () => {
        const account = await createAccount(t);
        const created = await createDestination(t, account.account_id, { headers: { 'X-Name': 'café\tbar' } });
        expect(created.headers).toEqual({ 'X-Name': 'café\tbar' });
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { headers: { 'X-Price': '10 €' } })),
        );
        expect(problems).toEqual([expect.stringContaining('"X-Price"')]);
      });

      it.each(['Bad Name', 'X-Colon:', 'X-Ümlaut', '', '(paren)', 'a/b'])('rejects the header name %p', async (name) => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { headers: { [name]: 'v' } })),
        );
        expect(problems).toEqual([expect.stringContaining(`"${name}" is not a valid HTTP header name`)]);
      });

      it.each(['Host', 'host', 'HOST', 'Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'transfer-encoding', 'Connection', 'connection', 'cOnNeCtIoN'])(
        'rejects the framing header %p',
        async (name) => {
          const account = await createAccount(t);
          const problems = await problemsOf(
            request(t.server)
              .post('/destinations')
              .set(t.admin)
              .send(valid(account.account_id, { headers: { 'X-Fine': 'ok', [name]: 'x' } })),
          );
          expect(problems).toEqual([expect.stringContaining(`"${name}"`)]);
          expect(countDestinationRows(account.account_id)).toBe(0);
        },
      );

      it('accepts 100 headers and rejects 101', async () => {
        const account = await createAccount(t);
        const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v']));
        expect(Object.keys((await createDestination(t, account.account_id, { headers: headers(100) })).headers)).toHaveLength(100);
        const problems = await problemsOf(
          request(t.server).post('/destinations').set(t.admin).send(valid(account.account_id, { headers: headers(101) })),
        );
        expect(problems).toEqual([expect.stringContaining('at most 100 entries')]);
      });

      it('rejects the same header name twice in different case', async () => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server)
            .post('/destinations')
            .set(t.admin)
            .send(valid(account.account_id, { headers: { 'X-Api-Key': 'a', 'x-api-key': 'b' } })),
        );
        expect(problems).toEqual([expect.stringContaining('twice')]);
      });

      it('names every bad header and every other bad field in one answer', async () => {
        const problems = await problemsOf(
          request(t.server)
            .post('/destinations')
            .set(t.admin)
            .send({
              account_id: 'nope',
              url: '/relative',
              http_method: 'TRACE',
              headers: { Host: 'a', 'content-length': '1', 'TRANSFER-ENCODING': 'x', Connection: 'c', 'Bad Name': 'x', 'X-N': 5 },
              extra: true,
            }),
        );
        const all = problems.join('\n');
        for (const name of ['"Host"', '"content-length"', '"TRANSFER-ENCODING"', '"Connection"', '"Bad Name"', '"X-N"']) {
          expect(all).toContain(name);
        }
        expect(problems).toEqual(
          expect.arrayContaining([
            'account_id must be a UUID',
            'url must be an absolute http(s) URL',
            'http_method must be one of GET, POST, PUT, PATCH, DELETE',
            'property extra should not exist',
          ]),
        );
      });
    });
  });

  describe('ids in upper case (UUIDs are case-insensitive)', () => {
    it('takes an account_id in upper case and answers it as stored', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id.toUpperCase());
      expect(created.account_id).toBe(account.account_id);
      const listed = await request(t.server).get(`/destinations?account_id=${account.account_id.toUpperCase()}`).set(t.admin).expect(200);
      expect(listed.body.data).toEqual([created]);
      await request(t.server)
        .patch(`/destinations/${created.destination_id.toUpperCase()}`)
        .set(t.admin)
        .send({ account_id: account.account_id.toUpperCase(), url: 'https://upper.example.com' })
        .expect(200);
      await request(t.server).get(`/destinations/${created.destination_id.toUpperCase()}`).set(t.admin).expect(200);
      await request(t.server).delete(`/destinations/${created.destination_id.toUpperCase()}`).set(t.admin).expect(204);
      expect(countDestinationRows(account.account_id)).toBe(0);
    });
  });

  describe('GET /destinations/{destination_id}', () => {
    it('reads the destination', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { headers: { 'X-Key': 'k' } });
      const res = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(res.body).toEqual(created);
      expect(Object.keys(res.body).sort()).toEqual(DESTINATION_FIELDS);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expectErrorShape((await request(t.server).get(`/destinations/${randomUUID()}`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).get('/destinations/not-a-uuid').set(t.admin).expect(400)).body, 400);
    });

    it('accepts a trailing slash', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      await request(t.server).get(`/destinations/${created.destination_id}/`).set(t.admin).expect(200);
    });
  });

  describe('PUT /destinations/{destination_id}', () => {
    it('replaces url, http_method and headers, keeping account, secret and creation time', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { headers: { 'X-Old': '1' } });
      const res: request.Response = await request(t.server)
        .put(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ url: 'http://new.example.com/hook', http_method: 'get', headers: { 'X-New': '2' } })
        .expect(200);
      expect(res.body).toEqual({
        ...created,
        url: 'http://new.example.com/hook',
        http_method: 'GET',
        headers: { 'X-New': '2' },
        updated_at: expect.stringMatching(ISO_TIME),
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(String(created.updated_at)));
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it.each([
      ['url', { http_method: 'POST', headers: {} }],
      ['http_method', { url: 'https://x.example.com', headers: {} }],
      ['headers', { url: 'https://x.example.com', http_method: 'POST' }],
    ])('requires %s', async (field, body) => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const problems = await problemsOf(request(t.server).put(`/destinations/${created.destination_id}`).set(t.admin).send(body));
      expect(problems.every((p) => p.startsWith(field))).toBe(true);
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(created);
    });

    it('accepts the current account_id', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const res: request.Response = await request(t.server)
        .put(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ account_id: account.account_id, url: 'https://same.example.com', http_method: 'PUT', headers: {} })
        .expect(200);
      expect(res.body.account_id).toBe(account.account_id);
      expect(res.body.url).toBe('https://same.example.com');
    });

    it('answers 400 for another account_id and leaves the destination where it is', async () => {
      const account = await createAccount(t);
      const other = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const res: request.Response = await request(t.server)
        .put(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ account_id: other.account_id, url: 'https://moved.example.com', http_method: 'POST', headers: {} })
        .expect(400);
      expect(expectErrorShape(res.body, 400)).toEqual([expect.stringContaining('account_id')]);
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(created);
    });

    it('validates like create', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const problems = await problemsOf(
        request(t.server)
          .put(`/destinations/${created.destination_id}`)
          .set(t.admin)
          .send({ url: 'ftp://x', http_method: 'HEAD', headers: { Host: 'evil' } }),
      );
      expect(problems).toEqual([
        'url must be an absolute http(s) URL',
        'http_method must be one of GET, POST, PUT, PATCH, DELETE',
        expect.stringContaining('"Host"'),
      ]);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const body = { url: 'https://x.example.com', http_method: 'POST', headers: {} };
      expectErrorShape((await request(t.server).put(`/destinations/${randomUUID()}`).set(t.admin).send(body).expect(404)).body, 404);
      expectErrorShape((await request(t.server).put('/destinations/123').set(t.admin).send(body).expect(400)).body, 400);
    });
  });

  describe('PATCH /destinations/{destination_id}', () => {
    it('changes only the fields given', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { headers: { 'X-Keep': 'yes' }, http_method: 'PUT' });
      const res: request.Response = await request(t.server)
        .patch(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ url: 'https://patched.example.com' })
        .expect(200);
      expect(res.body).toEqual({ ...created, url: 'https://patched.example.com', updated_at: expect.stringMatching(ISO_TIME) });

      const method = await request(t.server).patch(`/destinations/${created.destination_id}`).set(t.admin).send({ http_method: 'delete' }).expect(200);
      expect(method.body.http_method).toBe('DELETE');
      expect(method.body.url).toBe('https://patched.example.com');

      const headers = await request(t.server)
        .patch(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ headers: { 'X-Other': 'v' } })
        .expect(200);
      expect(headers.body.headers).toEqual({ 'X-Other': 'v' });

      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(headers.body);
    });

    it('accepts the current account_id and rejects another one', async () => {
      const account = await createAccount(t);
      const other = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      await request(t.server)
        .patch(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ account_id: account.account_id, http_method: 'GET' })
        .expect(200);
      const res: request.Response = await request(t.server)
        .patch(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ account_id: other.account_id })
        .expect(400);
      expectErrorShape(res.body, 400);
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body.account_id).toBe(account.account_id);
      expect(read.body.http_method).toBe('GET');
    });

    it.each([
      ['a null url', { url: null }],
      ['a relative url', { url: '/x' }],
      ['a null http_method', { http_method: null }],
      ['an unknown http_method', { http_method: 'HEAD' }],
      ['null headers', { headers: null }],
      ['a forbidden header', { headers: { 'Transfer-Encoding': 'chunked' } }],
      ['a null account_id', { account_id: null }],
      ['an unknown field', { signing_secret: 'whsec_x' }],
    ])('rejects %s and leaves the destination as it was', async (_, body) => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      await problemsOf(request(t.server).patch(`/destinations/${created.destination_id}`).set(t.admin).send(body));
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(created);
    });

    it('answers 404 for an unknown id', async () => {
      expectErrorShape((await request(t.server).patch(`/destinations/${randomUUID()}`).set(t.admin).send({}).expect(404)).body, 404);
    });

    it('accepts a trailing slash', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      await request(t.server).patch(`/destinations/${created.destination_id}/`).set(t.admin).send({ url: 'https://s.example.com' }).expect(200);
    });
  });

  describe('DELETE /destinations/{destination_id}', () => {
    it('answers 204, after which the destination is gone and its account stays', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const res = await request(t.server).delete(`/destinations/${created.destination_id}`).set(t.admin).expect(204);
      expect(res.text).toBe('');
      expectErrorShape((await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).delete(`/destinations/${created.destination_id}`).set(t.admin).expect(404)).body, 404);
      await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(200);
      expect(countDestinationRows(account.account_id)).toBe(0);
    });

    it('answers 400 for a malformed id', async () => {
      expectErrorShape((await request(t.server).delete('/destinations/zzz').set(t.admin).expect(400)).body, 400);
    });

    it('accepts a trailing slash', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      await request(t.server).delete(`/destinations/${created.destination_id}/`).set(t.admin).expect(204);
    });
  });

  describe('GET /destinations', () => {
    it('filters by account_id and pages with limit and next_cursor', async () => {
      const account = await createAccount(t);
      const other = await createAccount(t);
      const mine = [];
      for (let i = 0; i < 5; i++) {
        mine.push(await createDestination(t, account.account_id, { url: `https://hooks.example.com/${i}` }));
        await createDestination(t, other.account_id);
      }
      const seen: Array<{ destination_id: string; created_at: string }> = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.server)
          .get('/destinations')
          .query({ account_id: account.account_id, limit: '2', ...(cursor ? { cursor } : {}) })
          .set(t.admin)
          .expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'next_cursor']);
        for (const d of res.body.data) expect(d.account_id).toBe(account.account_id);
        seen.push(...res.body.data);
        sizes.push(res.body.data.length);
        cursor = res.body.next_cursor;
      } while (cursor !== null && sizes.length < 10);
      expect(sizes).toEqual([2, 2, 1]);
      expect(sameIds(seen.map((d) => d.destination_id))).toEqual(sameIds(mine.map((d) => d.destination_id)));
      expectOldestFirst(seen);
    });

    it('lists destinations of every account without a filter, each once', async () => {
      const a = await createAccount(t);
      const b = await createAccount(t);
      const ours = [await createDestination(t, a.account_id), await createDestination(t, b.account_id)];
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(t.server)
          .get('/destinations/')
          .query({ limit: '100', ...(cursor ? { cursor } : {}) })
          .set(t.admin)
          .expect(200);
        seen.push(...res.body.data.map((d: { destination_id: string }) => d.destination_id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(ours.map((d) => d.destination_id)));
    });

    it('answers an empty page for an account without destinations', async () => {
      const account = await createAccount(t);
      const res = await request(t.server).get(`/destinations?account_id=${account.account_id}`).set(t.admin).expect(200);
      expect(res.body).toEqual({ data: [], next_cursor: null });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=nope', 'cursor'],
      ['account_id=nope', 'account_id'],
    ])('answers 400 for %s', async (query, field) => {
      const res = await request(t.server).get(`/destinations?${query}`).set(t.admin).expect(400);
      expect(expectErrorShape(res.body, 400).some((m) => m.startsWith(field))).toBe(true);
    });
  });

  describe('GET /accounts/{account_id}/destinations', () => {
    it("lists only that account's destinations, a page at a time", async () => {
      const account = await createAccount(t);
      const other = await createAccount(t);
      const mine = [await createDestination(t, account.account_id), await createDestination(t, account.account_id), await createDestination(t, account.account_id)];
      await createDestination(t, other.account_id);
      const first = await request(t.server).get(`/accounts/${account.account_id}/destinations?limit=2`).set(t.admin).expect(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await request(t.server)
        .get(`/accounts/${account.account_id}/destinations/`)
        .query({ limit: 2, cursor: first.body.next_cursor })
        .set(t.admin)
        .expect(200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.next_cursor).toBeNull();
      const paged = [...first.body.data, ...second.body.data];
      expect(sameIds(paged.map((d) => d.destination_id))).toEqual(sameIds(mine.map((d) => d.destination_id)));
      expect(paged).toEqual(expect.arrayContaining(mine));
      expectOldestFirst(paged);
      const all = await request(t.server).get(`/accounts/${account.account_id}/destinations`).set(t.admin).expect(200);
      expect(all.body).toEqual({ data: paged, next_cursor: null });
    });

    it('answers 200 with an empty list for an account without destinations', async () => {
      const account = await createAccount(t);
      const res = await request(t.server).get(`/accounts/${account.account_id}/destinations`).set(t.admin).expect(200);
      expect(res.body).toEqual({ data: [], next_cursor: null });
    });

    it('answers 404 for an unknown account and 400 for a malformed id or query', async () => {
      expectErrorShape((await request(t.server).get(`/accounts/${randomUUID()}/destinations`).set(t.admin).expect(404)).body, 404);
      expectErrorShape((await request(t.server).get('/accounts/bad/destinations').set(t.admin).expect(400)).body, 400);
      const account = await createAccount(t);
      expectErrorShape((await request(t.server).get(`/accounts/${account.account_id}/destinations?limit=0`).set(t.admin).expect(400)).body, 400);
      expectErrorShape((await request(t.server).get(`/accounts/${account.account_id}/destinations?cursor=x`).set(t.admin).expect(400)).body, 400);
    });
  });

  describe('authentication', () => {
    it.each([
      ['POST', '/destinations'],
      ['GET', '/destinations'],
      ['GET', '/destinations/ID'],
      ['PUT', '/destinations/ID'],
      ['PATCH', '/destinations/ID'],
      ['DELETE', '/destinations/ID'],
    ])('%s %s answers 401 without the admin key and changes nothing', async (method, path) => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id);
      const url = path.replace('ID', created.destination_id);
      const body = valid(account.account_id, { url: 'https://attacker.example.com' });
      const agent = request(t.server);
      const call =
        method === 'POST' ? agent.post(url) : method === 'PUT' ? agent.put(url) : method === 'PATCH' ? agent.patch(url) : method === 'DELETE' ? agent.delete(url) : agent.get(url);
      const res = await call.send(body).expect(401);
      expectErrorShape(res.body, 401);
      expect(countDestinationRows(account.account_id)).toBe(1);
      const read = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(read.body).toEqual(created);
    });

    it('answers 401 with a wrong admin key', async () => {
      const account = await createAccount(t);
      const res: request.Response = await request(t.server)
        .post('/destinations')
        .set('Authorization', 'Bearer wrong-key-wrong-key')
        .send(valid(account.account_id))
        .expect(401);
      expectErrorShape(res.body, 401);
      expect(countDestinationRows(account.account_id)).toBe(0);
    });
  });

  describe('deleting an account', () => {
    it('deletes its destinations with it, in the database too, and leaves other accounts alone', async () => {
      const account = await createAccount(t);
      const other = await createAccount(t);
      const gone = [await createDestination(t, account.account_id), await createDestination(t, account.account_id, { http_method: 'GET' })];
      const kept = await createDestination(t, other.account_id);
      expect(countDestinationRows(account.account_id)).toBe(2);

      await request(t.server).delete(`/accounts/${account.account_id}`).set(t.admin).expect(204);

      expect(countDestinationRows(account.account_id)).toBe(0);
      for (const d of gone) await request(t.server).get(`/destinations/${d.destination_id}`).set(t.admin).expect(404);
      await request(t.server).get(`/accounts/${account.account_id}/destinations`).set(t.admin).expect(404);
      const filtered = await request(t.server).get(`/destinations?account_id=${account.account_id}`).set(t.admin).expect(200);
      expect(filtered.body).toEqual({ data: [], next_cursor: null });

      expect(countDestinationRows(other.account_id)).toBe(1);
      await request(t.server).get(`/destinations/${kept.destination_id}`).set(t.admin).expect(200);
    });
  });
});
