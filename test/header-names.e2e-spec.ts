import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, type DestinationBody } from './support/factories.js';
import { startSink, type ReceivedRequest, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Names every object inherits, and names axios treats as its own (per-method header groups). */
const INHERITED = ['constructor', 'toString', '__proto__', '__defineGetter__', 'hasOwnProperty', 'valueOf'];
const TRICKY = [...INHERITED, 'prototype', 'get', 'post', 'common', 'delete', 'set', 'toJSON'];
/** Written as text: an object literal would turn "__proto__" into a prototype instead of a key. */
const headersJson = (names: string[]) => `{${names.map((name, i) => `"${name}":"value-${i}"`).join(',')}}`;
const expectedHeaders = (names: string[]) => names.map((name, i) => [name, `value-${i}`]);

function receivedPairs(received: ReceivedRequest, names: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < received.rawHeaders.length; i += 2) pairs.push([received.rawHeaders[i], received.rawHeaders[i + 1]]);
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  return pairs.filter(([name]) => wanted.has(name.toLowerCase()));
}

describe('destination header names', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    t = await startTestApp();
    sink = await startSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  function postDestination(body: string) {
    return request(t.server).post('/destinations').set(t.admin).set('Content-Type', 'application/json').send(body);
  }

  it.each(['POST', 'GET'])('stores, shows and delivers names objects inherit, like constructor and __proto__ (%s)', async (method) => {
    const account = await createAccount(t);
    const url = `${sink.url}/names-${method}`;
    const created = await postDestination(
      `{"account_id":"${account.account_id}","url":"${url}","http_method":"${method}","headers":${headersJson(TRICKY)}}`,
    ).expect(201);
    const destination = created.body as DestinationBody;
    expect(Object.entries(destination.headers)).toEqual(expectedHeaders(TRICKY));
    const read = await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200);
    expect(Object.entries(read.body.headers)).toEqual(expectedHeaders(TRICKY));

    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    const received = await expectEventually(() => {
      const found = sink.received.find((r) => r.path === `/names-${method}`);
      expect(found).toBeDefined();
      return found as ReceivedRequest;
    });
    expect(receivedPairs(received, TRICKY)).toEqual(expectedHeaders(TRICKY.map((name) => name.toLowerCase())));
  });

  it('keeps them through PUT and PATCH', async () => {
    const account = await createAccount(t);
    const created = await postDestination(
      `{"account_id":"${account.account_id}","url":"${sink.url}/edit","http_method":"POST","headers":{}}`,
    ).expect(201);
    const id = (created.body as DestinationBody).destination_id;
    const put = await request(t.server)
      .put(`/destinations/${id}`)
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"url":"${sink.url}/edit","http_method":"POST","headers":${headersJson(INHERITED)}}`)
      .expect(200);
    expect(Object.entries(put.body.headers)).toEqual(expectedHeaders(INHERITED));
    const patch = await request(t.server)
      .patch(`/destinations/${id}`)
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"headers":${headersJson(['__proto__', 'toString'])}}`)
      .expect(200);
    expect(Object.entries(patch.body.headers)).toEqual(expectedHeaders(['__proto__', 'toString']));
  });

  it.each(['TE', 'Trailer', 'Proxy-Connection', 'Keep-Alive', 'Upgrade', 'Proxy-Authorization'])('refuses the hop-by-hop header %s', async (name) => {
    const account = await createAccount(t);
    const res = await postDestination(
      JSON.stringify({ account_id: account.account_id, url: `${sink.url}/hop`, http_method: 'POST', headers: { [name]: 'x' } }),
    ).expect(400);
    expect(res.body.message).toEqual([`headers: "${name}" is a hop-by-hop header (it concerns one connection) and may not be stored`]);
  });

  it('refuses a name longer than 256 characters, quoting only its start', async () => {
    const account = await createAccount(t);
    const name = 'x'.repeat(500_000);
    const res = await postDestination(
      JSON.stringify({ account_id: account.account_id, url: `${sink.url}/long`, http_method: 'POST', headers: { [name]: 'x' } }),
    ).expect(400);
    expect(res.body.message).toEqual([`headers: "${'x'.repeat(40)}…" is longer than 256 characters`]);
    await postDestination(
      JSON.stringify({ account_id: account.account_id, url: `${sink.url}/long`, http_method: 'POST', headers: { ['x'.repeat(256)]: 'x' } }),
    ).expect(201);
  });
});

describe('names objects inherit, as fields', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(INHERITED)('refuses %s as a query key, like any unknown field', async (name) => {
    for (const path of ['/accounts', '/destinations']) {
      const res = await request(t.server).get(`${path}?${name}=1`).set(t.admin).expect(400);
      expect(res.body.message).toEqual([`property ${name} should not exist`]);
    }
  });

  it.each(INHERITED)('refuses %s as a body field, like any unknown field', async (name) => {
    const res = await request(t.server)
      .post('/accounts')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"email":"inherited@example.com","account_name":"A","${name}":"x"}`)
      .expect(400);
    expect(res.body.message).toEqual([`property ${name} should not exist`]);
  });
});
