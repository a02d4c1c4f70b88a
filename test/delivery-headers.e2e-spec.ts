import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { type ReceivedRequest, startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** What a receiver gets on the wire: our headers and the destination's, names in lower case, nothing else. */
describe('delivery headers on the wire', () => {
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

  async function deliver(httpMethod: string, headers: Record<string, string>): Promise<ReceivedRequest> {
    const account = await createAccount(t);
    const path = `/${httpMethod.toLowerCase()}-${account.account_id}`;
    await createDestination(t, account.account_id, { url: `${sink.url}${path}`, http_method: httpMethod, headers });
    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    return expectEventually(() => {
      const received = sink.received.find((r) => r.path === path);
      expect(received).toBeDefined();
      return received as ReceivedRequest;
    });
  }

  const names = (received: ReceivedRequest) => received.rawHeaders.filter((_, i) => i % 2 === 0);
  // What the HTTP client adds to any request: where to, how the connection is kept, how long the body is.
  const TRANSPORT = ['host', 'connection', 'content-length'];
  const SIGNING = ['webhook-id', 'webhook-signature', 'webhook-timestamp'];

  it('sends a POST with content-type, user-agent, the signing headers and the destination headers, all lower case', async () => {
    const received = await deliver('POST', { 'X-Api-Key': 'sink-key', Accept: 'application/vnd.sink+json' });
    expect(names(received).filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(names(received).filter((name) => !TRANSPORT.includes(name)).sort()).toEqual(
      ['accept', 'content-type', 'user-agent', 'x-api-key', ...SIGNING].sort(),
    );
    // The destination's Accept is the one that goes out, once.
    expect(received.headers.accept).toBe('application/vnd.sink+json');
  });

  it('sends no Accept of its own, and a GET no content-type', async () => {
    const received = await deliver('GET', {});
    expect(names(received).filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(names(received).filter((name) => !TRANSPORT.includes(name)).sort()).toEqual(['user-agent', ...SIGNING].sort());
  });
});
