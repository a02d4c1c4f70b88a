import Database from 'better-sqlite3';
import request from 'supertest';
import { createAccount, createDestination } from './support/factories.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { expectEventually } from './support/expect-eventually.js';

const INGEST = '/server/incoming_data';
/** supertest would turn a Buffer into JSON text of its own: the bytes go out as they are. */
const raw = (bytes: unknown) => bytes as string;

describe('POST /server/incoming_data', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    t = await startTestApp({ MAX_PAYLOAD_BYTES: '2048' });
    sink = await startSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  async function accountWithSink(): Promise<string> {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/in` });
    return account.app_secret_token;
  }

  it('answers 202 with the message id and the number of destinations, once the message is committed', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/a` });
    await createDestination(t, account.account_id, { url: `${sink.url}/b`, http_method: 'PUT' });
    const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).send({ order: 1 }).expect(202);
    expect(res.body).toEqual({ message_id: expect.any(String), status: 'accepted', destinations: 2 });

    // Read back from a second connection at once: the 202 came after the commit.
    const db = new Database(t.databasePath, { readonly: true });
    try {
      const message = db.prepare('SELECT payload FROM messages WHERE id = ?').get(res.body.message_id) as { payload: string };
      expect(JSON.parse(message.payload)).toEqual({ order: 1 });
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM deliveries WHERE message_id = ?').get(res.body.message_id) as { n: number };
      expect(n).toBe(2);
    } finally {
      db.close();
    }
  });

  it('accepts an account without destinations with 0', async () => {
    const account = await createAccount(t);
    const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    expect(res.body.destinations).toBe(0);
  });

  it('takes the header name in any case and a trailing slash', async () => {
    const token = await accountWithSink();
    await request(t.server).post(`${INGEST}/`).set('cl-x-token', token).send({ a: 1 }).expect(202);
  });

  it.each(['get', 'put', 'patch', 'delete', 'options', 'trace'] as const)('answers %s with 405 Invalid Data and Allow: POST', async (method) => {
    const res = await request(t.server)[method](`${INGEST}/`).expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: 'Invalid Data' });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['unknown', 'not-a-real-token'],
  ])('answers a %s token with 401 Un Authenticate', async (_case, token) => {
    const req = request(t.server).post(INGEST).send({ a: 1 });
    if (token !== undefined) req.set('CL-X-TOKEN', token);
    const res = await req.expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Un Authenticate' });
  });

  it('answers 401 before looking at the body: malformed, wrong type, or too large', async () => {
    for (const [type, body] of [
      ['application/json', '{not json'],
      ['text/plain', 'hello'],
      ['application/json', JSON.stringify({ big: 'x'.repeat(10_000) })],
    ]) {
      const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', 'wrong').set('Content-Type', type).send(body);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Un Authenticate');
    }
  });

  it.each([
    ['malformed JSON', 'application/json', '{"a":', /^The body is not valid JSON: /],
    ['a JSON array', 'application/json', '[1,2]', /^The body must be a JSON object \(\{\.\.\.\}\), not an array$/],
    ['a JSON string', 'application/json', '"text"', /not a string$/],
    ['JSON null', 'application/json', 'null', /not null$/],
    ['an empty body', 'application/json', '', /^The body is empty/],
    ['text/plain', 'text/plain', '{"a":1}', /^Content-Type must be application\/json$/],
    ['form data', 'application/x-www-form-urlencoded', 'a=1', /^Content-Type must be application\/json$/],
    ['an unknown content type', 'application/xml', '<a/>', /^Content-Type must be application\/json$/],
    ['another charset', 'application/json; charset=iso-8859-1', '{"a":1}', /charset=iso-8859-1 is not supported/],
  ])('answers %s with 400 Invalid Data and the reason', async (_case, type, body, reason) => {
    const token = await accountWithSink();
    const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('Content-Type', type).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Invalid Data', reason: expect.stringMatching(reason) });
  });

  it('answers a body that is not UTF-8 with 400 Invalid Data, instead of storing replacement characters', async () => {
    const token = await accountWithSink();
    // {"a":"é"} in Latin-1, and a UTF-8 encoded lone surrogate (CESU-style): neither is UTF-8.
    for (const bytes of [Buffer.from('{"a":"\xe9"}', 'latin1'), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])]) {
      const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('Content-Type', 'application/json').serialize(raw).send(bytes);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Invalid Data',
        reason: 'The body is not valid UTF-8: JSON must be sent as UTF-8',
      });
    }
    const utf8 = await request(t.server)
      .post(INGEST)
      .set('CL-X-TOKEN', token)
      .set('Content-Type', 'application/json; charset=UTF-8')
      .serialize(raw)
      .send(Buffer.from('{"a":"é"}'));
    expect(utf8.status).toBe(202);
  });

  it('stores, delivers and shows the body byte for byte: big integers, 1e999, key order and whitespace kept', async () => {
    const account = await createAccount(t);
    const post = await startSink();
    const get = await startSink();
    try {
      await createDestination(t, account.account_id, { url: `${post.url}/exact` });
      await createDestination(t, account.account_id, { url: `${get.url}/exact`, http_method: 'GET' });
      const text = '{ "big": 12345678901234567890, "inf":1e999,\n  "z": {"n": [1.50, -0]}, "a": "é"\t}\n';
      const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Content-Type', 'application/json').send(text).expect(202);

      const [sent] = await expectEventually(() => {
        expect(post.received).toHaveLength(1);
        return post.received;
      });
      expect(sent.body).toBe(text);
      const [polled] = await expectEventually(() => {
        expect(get.received).toHaveLength(1);
        return get.received;
      });
      expect([...polled.query]).toEqual([
        ['big', '12345678901234567890'],
        ['inf', '1e999'],
        ['z', '{"n":[1.50,-0]}'],
        ['a', 'é'],
      ]);

      const shown = await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200);
      expect(shown.headers['content-type']).toMatch(/^application\/json/);
      expect(shown.text).toContain(`"payload":${text},"deliveries":`);
      expect(shown.body).toMatchObject({ message_id: res.body.message_id, account_id: account.account_id, payload: { a: 'é' } });
      expect(shown.body.deliveries).toHaveLength(2);
    } finally {
      await post.close();
      await get.close();
    }
  });

  it('answers JSON nested too deeply to handle with 400 Invalid Data, not a 500', async () => {
    const depth = 100_000;
    const body = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const app = await startTestApp({ MAX_PAYLOAD_BYTES: String(1024 * 1024) });
    try {
      const account = await createAccount(app);
      const res = await request(app.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: 'Invalid Data', reason: 'The body nests arrays and objects more than 1000 levels deep' });
      // A string full of brackets is not nesting.
      const flat = JSON.stringify({ a: '['.repeat(5000) });
      await request(app.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Content-Type', 'application/json').send(flat).expect(202);
    } finally {
      await app.close();
    }
  });

  it('answers a body over MAX_PAYLOAD_BYTES with 413', async () => {
    const token = await accountWithSink();
    const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', token).send({ big: 'x'.repeat(4096) }).expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('stops accepting a rotated token at once', async () => {
    const account = await createAccount(t);
    await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    const rotated = await request(t.server).post(`/accounts/${account.account_id}/rotate-token`).set(t.admin).expect(200);
    await request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(401);
    await request(t.server).post(INGEST).set('CL-X-TOKEN', rotated.body.app_secret_token).send({ a: 1 }).expect(202);
  });

  describe('idempotency', () => {
    it('answers a repeated Idempotency-Key with the first message and delivers once', async () => {
      const account = await createAccount(t);
      await createDestination(t, account.account_id, { url: `${sink.url}/idem` });
      const send = (body: object) =>
        request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Idempotency-Key', 'evt-1').send(body).expect(202);
      const first = await send({ n: 1 });
      const second = await send({ n: 1 });
      expect(second.body).toEqual({ ...first.body });

      await expectEventually(() => expect(sink.received.filter((r) => r.headers['webhook-id'] === first.body.message_id)).toHaveLength(1));
      const listed = await request(t.server).get(`/accounts/${account.account_id}/messages`).set(t.admin).expect(200);
      expect(listed.body.data).toHaveLength(1);
    });

    it('treats CL-X-EVENT-ID as the key, and keys are per account', async () => {
      const a = await createAccount(t);
      const b = await createAccount(t);
      const send = (token: string) => request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('CL-X-EVENT-ID', 'shared').send({ x: 1 });
      const a1 = await send(a.app_secret_token);
      const a2 = await send(a.app_secret_token);
      const b1 = await send(b.app_secret_token);
      expect(a2.body.message_id).toBe(a1.body.message_id);
      expect(b1.body.message_id).not.toBe(a1.body.message_id);
    });

    it('holds under concurrent duplicates', async () => {
      const account = await createAccount(t);
      await createDestination(t, account.account_id, { url: `${sink.url}/concurrent` });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          request(t.server).post(INGEST).set('CL-X-TOKEN', account.app_secret_token).set('Idempotency-Key', 'same').send({ a: 1 }),
        ),
      );
      expect(new Set(answers.map((r) => r.body.message_id)).size).toBe(1);
      expect(answers.every((r) => r.status === 202 && r.body.destinations === 1)).toBe(true);
    });

    it('rejects a key longer than 255 characters', async () => {
      const token = await accountWithSink();
      const res = await request(t.server).post(INGEST).set('CL-X-TOKEN', token).set('Idempotency-Key', 'k'.repeat(256)).send({ a: 1 });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Idempotency-Key must be at most 255 characters');
    });
  });
});
