import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { type AccountBody, createAccount, createDestination } from './support/factories.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe("POST /accounts/{id}/messages: the admin sends on an account's behalf, as ingest does", () => {
  let t: TestApp;
  let sink: Sink;
  let account: AccountBody;
  let secret: string;

  beforeAll(async () => {
    // A limit of 1 per second: the admin's sends must not be held back by it.
    t = await startTestApp({ INGEST_RATE_LIMIT: '1' });
    sink = await startSink();
    account = await createAccount(t);
    secret = (await createDestination(t, account.account_id, { url: `${sink.url}/all` })).signing_secret;
    await createDestination(t, account.account_id, { url: `${sink.url}/orders`, event_types: ['order.*'] });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const send = (accountId: string, body: string, headers: Record<string, string> = {}) =>
    request(t.server)
      .post(`/accounts/${accountId}/messages`)
      .set({ ...t.admin, 'Content-Type': 'application/json', ...headers })
      .send(body);

  it('answers 202 like ingest and delivers the body byte for byte, signed, with its event type', async () => {
    const body = '{"big": 12345678901234567890,  "price": 1.50}';
    const res = await send(account.account_id, body, { 'CL-X-EVENT-TYPE': 'order.created' }).expect(202);
    expect(res.body).toEqual({ message_id: expect.any(String), status: 'accepted', destinations: 2 });
    const got = await expectEventually(() => {
      const found = sink.received.filter((r) => r.headers['webhook-id'] === res.body.message_id);
      expect(found.map((r) => r.path).sort()).toEqual(['/all', '/orders']);
      return found;
    });
    for (const r of got) {
      expect(r.body).toBe(body);
      expect(r.headers['cl-x-event-type']).toBe('order.created');
    }
    const toAll = got.find((r) => r.path === '/all')!;
    const signed = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(toAll.headers[name])]);
    expect(() => new Webhook(secret).verify(body, Object.fromEntries(signed))).not.toThrow();
    const message = await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200);
    expect(message.text).toContain(`"payload":${body}`);
    expect(message.body).toMatchObject({ account_id: account.account_id, event_type: 'order.created' });
  });

  it('is not limited by the ingest rate limit, which still holds the token holder back', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await send(account.account_id, `{"n": ${i}}`)).status);
    expect(answers).toEqual([202, 202, 202, 202]);
    const ingest = () =>
      request(t.server).post('/server/incoming_data').set({ 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'application/json' }).send('{}');
    const statuses = [(await ingest()).status, (await ingest()).status];
    expect(statuses).toContain(429);
  });

  it('answers the first message_id again for a repeated Idempotency-Key, delivering nothing twice', async () => {
    const first = await send(account.account_id, '{"once": true}', { 'Idempotency-Key': 'admin-once' }).expect(202);
    const again = await send(account.account_id, '{"once": true}', { 'Idempotency-Key': 'admin-once' }).expect(202);
    expect(again.body).toEqual(first.body);
    await expectEventually(() => expect(sink.received.filter((r) => r.headers['webhook-id'] === first.body.message_id)).toHaveLength(1));
  });

  it('needs the admin key: none, a wrong one, or only the account token get 401', async () => {
    const url = `/accounts/${account.account_id}/messages`;
    const json = { 'Content-Type': 'application/json' };
    for (const headers of [json, { ...json, Authorization: 'Bearer wrong' }, { ...json, 'CL-X-TOKEN': account.app_secret_token }]) {
      const res = await request(t.server).post(url).set(headers).send('{}').expect(401);
      expectErrorShape(res.body, 401);
    }
  });

  it('says 404 for an unknown account and 400 for a malformed id', async () => {
    const unknown = '0196b3c2-7f4e-7a51-9c3d-5e6f7a8b9c0d';
    expect(expectErrorShape((await send(unknown, '{}').expect(404)).body, 404)).toEqual([`Account ${unknown} not found`]);
    expectErrorShape((await send('not-a-uuid', '{}').expect(400)).body, 400);
  });

  it.each([
    ['[1, 2]', {}, 'The body must be a JSON object ({...}), not an array'],
    ['{"a": ', {}, expect.stringContaining('The body is not valid JSON')],
    ['{}', { 'Content-Type': 'text/plain' }, 'Content-Type must be application/json'],
  ])('refuses the body %p with the ingest 400 and its reason', async (body, headers, reason) => {
    const res = await send(account.account_id, body, headers as Record<string, string>).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Invalid Data', reason });
  });

  it('refuses a bad CL-X-EVENT-TYPE as ingest does', async () => {
    const res = await send(account.account_id, '{}', { 'CL-X-EVENT-TYPE': 'not valid' }).expect(400);
    expect(expectErrorShape(res.body, 400)).toEqual(['CL-X-EVENT-TYPE must be 1 to 128 characters of A-Z a-z 0-9 . _ - :']);
  });
});
