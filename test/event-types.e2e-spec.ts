import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { type AccountBody, createAccount, createDestination, type DestinationBody } from './support/factories.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('event types: the destinations\' event_types filter', () => {
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

  const read = async (id: string) => (await request(t.server).get(`/destinations/${id}`).set(t.admin).expect(200)).body;
  const patch = (id: string, body: object) => request(t.server).patch(`/destinations/${id}`).set(t.admin).send(body);

  it('stores patterns on create, changes them with PATCH and PUT, clears them with null, and leaves them alone when omitted', async () => {
    const account = await createAccount(t);
    const created = await createDestination(t, account.account_id, { event_types: ['order.created', 'invoice.*'] });
    expect(created.event_types).toEqual(['order.created', 'invoice.*']);
    expect((await read(created.destination_id)).event_types).toEqual(['order.created', 'invoice.*']);

    expect((await patch(created.destination_id, { rate_limit: 5 }).expect(200)).body.event_types).toEqual(['order.created', 'invoice.*']);
    expect((await patch(created.destination_id, { event_types: ['*'] }).expect(200)).body.event_types).toEqual(['*']);
    const replaced = await request(t.server)
      .put(`/destinations/${created.destination_id}`)
      .set(t.admin)
      .send({ url: created.url, http_method: 'POST', headers: {}, event_types: ['user:signed-up', 'a_b-c.d'] })
      .expect(200);
    expect(replaced.body.event_types).toEqual(['user:signed-up', 'a_b-c.d']);
    expect((await patch(created.destination_id, { event_types: null }).expect(200)).body.event_types).toBeNull();
    expect((await read(created.destination_id)).event_types).toBeNull();
  });

  it.each([
    [[], ['event_types must be null or a list of 1 to 50 patterns']],
    ['order.created', ['event_types must be null or a list of 1 to 50 patterns']],
    [Array.from({ length: 51 }, (_, i) => `type${i}`), ['event_types must be null or a list of 1 to 50 patterns']],
    [['order created'], ['event_types: "order created" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"']],
    [
      ['order*', '.*'],
      [
        'event_types: "order*" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"',
        'event_types: ".*" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"',
      ],
    ],
    [['a', 'a'], ['event_types must not repeat a pattern']],
    [[7], ['event_types must hold strings']],
  ])('rejects event_types %p with 400', async (eventTypes, messages) => {
    const account = await createAccount(t);
    const res = await request(t.server)
      .post('/destinations')
      .set(t.admin)
      .send({ account_id: account.account_id, url: 'https://hooks.example.com/x', http_method: 'POST', headers: {}, event_types: eventTypes })
      .expect(400);
    expect(expectErrorShape(res.body, 400)).toEqual(messages);
  });

  describe('CL-X-EVENT-TYPE on ingest', () => {
    let account: AccountBody;
    let destinations: Record<string, DestinationBody>;
    const filters: Record<string, string[] | null> = {
      all: null,
      orders: ['order.*'],
      created: ['order.created'],
      typed: ['*'],
      invoices: ['invoice.paid', 'invoice.void'],
    };

    beforeAll(async () => {
      account = await createAccount(t);
      destinations = {};
      for (const [name, eventTypes] of Object.entries(filters)) {
        // A header of our name on the destination: the message's own type must win over it.
        const headers = name === 'created' ? { 'CL-X-Event-Type': 'stale.static.value' } : {};
        destinations[name] = await createDestination(t, account.account_id, { url: `${sink.url}/${account.account_id}/${name}`, event_types: eventTypes, headers });
      }
    });

    const ingest = (body: string, headers: Record<string, string> = {}) =>
      request(t.server)
        .post('/server/incoming_data')
        .set({ 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'application/json', ...headers })
        .send(body);

    /** The names of the destinations that received the message, once `count` of them have. */
    const receivers = (messageId: string, count: number) =>
      expectEventually(() => {
        const got = sink.received.filter((r) => r.headers['webhook-id'] === messageId);
        expect(got).toHaveLength(count);
        return got;
      });

    it.each([
      ['order.created', ['all', 'created', 'orders', 'typed']],
      ['order.item.added', ['all', 'orders', 'typed']],
      ['invoice.void', ['all', 'invoices', 'typed']],
      ['order', ['all', 'typed']],
      ['orders.created', ['all', 'typed']],
    ])('a message of type %p goes only to the destinations whose filter matches (%p), and the 202 counts them', async (eventType, expected) => {
      const res = await ingest(`{"type": "${eventType}"}`, { 'CL-X-EVENT-TYPE': eventType }).expect(202);
      expect(res.body.destinations).toBe(expected.length);
      const got = await receivers(res.body.message_id, expected.length);
      expect(got.map((r) => r.path.split('/').pop()).sort()).toEqual(expected);
      for (const r of got) expect(r.headers['cl-x-event-type']).toBe(eventType);
      // Nothing more arrives for it: the other destinations got no delivery at all.
      const message = (await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200)).body;
      expect(message.event_type).toBe(eventType);
      expect(message.deliveries.map((d: { destination_id: string }) => d.destination_id).sort()).toEqual(
        expected.map((name) => destinations[name].destination_id).sort(),
      );
    });

    it('a message without a type goes only to destinations with event_types null, without a cl-x-event-type header', async () => {
      const res = await ingest('{"untyped": true}').expect(202);
      expect(res.body.destinations).toBe(1);
      const [got] = await receivers(res.body.message_id, 1);
      expect(got.path).toBe(`/${account.account_id}/all`);
      expect(got.headers['cl-x-event-type']).toBeUndefined();
      expect((await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200)).body.event_type).toBeNull();
    });

    it('sends the type on in place of a destination header of the same name, and the signature still verifies', async () => {
      const res = await ingest('{"n": 1}', { 'CL-X-EVENT-TYPE': 'order.created' }).expect(202);
      const got = (await receivers(res.body.message_id, 4)).find((r) => r.path.endsWith('/created'))!;
      expect(got.rawHeaders.filter((_, i) => i % 2 === 0 && got.rawHeaders[i].toLowerCase() === 'cl-x-event-type')).toHaveLength(1);
      expect(got.headers['cl-x-event-type']).toBe('order.created');
      const headers = {
        'webhook-id': String(got.headers['webhook-id']),
        'webhook-timestamp': String(got.headers['webhook-timestamp']),
        'webhook-signature': String(got.headers['webhook-signature']),
      };
      expect(new Webhook(destinations.created.signing_secret).verify(got.body, headers)).toEqual({ n: 1 });
    });

    it.each(['has space', 'x'.repeat(129), 'order/created', 'ünïcode'])('refuses CL-X-EVENT-TYPE %p with 400 and stores nothing', async (eventType) => {
      const before = (await request(t.server).get(`/accounts/${account.account_id}/messages?limit=100`).set(t.admin).expect(200)).body.data.length;
      const res = await ingest('{"bad": true}', { 'CL-X-EVENT-TYPE': eventType }).expect(400);
      expect(expectErrorShape(res.body, 400)).toEqual(['CL-X-EVENT-TYPE must be 1 to 128 characters of A-Z a-z 0-9 . _ - :']);
      const after = (await request(t.server).get(`/accounts/${account.account_id}/messages?limit=100`).set(t.admin).expect(200)).body.data.length;
      expect(after).toBe(before);
    });

    it('filters the messages list by event type, with every filter at once, and says what a bad filter is', async () => {
      const own = await createAccount(t);
      await createDestination(t, own.account_id, { url: `${sink.url}/${own.account_id}/list` });
      const send = (type?: string) =>
        request(t.server)
          .post('/server/incoming_data')
          .set({ 'CL-X-TOKEN': own.app_secret_token, 'Content-Type': 'application/json', ...(type ? { 'CL-X-EVENT-TYPE': type } : {}) })
          .send('{}')
          .expect(202)
          .then((res) => String(res.body.message_id));
      const createdIds = [await send('order.created'), await send('order.created')];
      const paidId = await send('invoice.paid');
      const untypedId = await send();
      const list = async (query: string) =>
        (await request(t.server).get(`/accounts/${own.account_id}/messages${query}`).set(t.admin).expect(200)).body as {
          data: Array<{ message_id: string; event_type: string | null }>;
          next_cursor: string | null;
        };

      const all = await list('');
      expect(all.data.map((m) => [m.message_id, m.event_type])).toEqual([
        [untypedId, null],
        [paidId, 'invoice.paid'],
        [createdIds[1], 'order.created'],
        [createdIds[0], 'order.created'],
      ]);
      expect((await list('?event_type=order.created')).data.map((m) => m.message_id)).toEqual([createdIds[1], createdIds[0]]);
      const firstPage = await list('?event_type=order.created&limit=1');
      expect(firstPage.data.map((m) => m.message_id)).toEqual([createdIds[1]]);
      expect((await list(`?event_type=order.created&limit=1&cursor=${firstPage.next_cursor}`)).data.map((m) => m.message_id)).toEqual([createdIds[0]]);
      expect((await list('?event_type=invoice.paid')).data.map((m) => m.message_id)).toEqual([paidId]);
      // A pattern is not a filter of the list: the type is matched exactly.
      expect((await list('?event_type=order')).data).toEqual([]);
      await expectEventually(async () => expect((await list('?event_type=order.created&status=succeeded')).data).toHaveLength(2));

      const bad = await request(t.server).get(`/accounts/${own.account_id}/messages?event_type=order.*`).set(t.admin).expect(400);
      expect(expectErrorShape(bad.body, 400)).toEqual(['event_type must be 1 to 128 characters of A-Z a-z 0-9 . _ - :']);
    });

    it('keeps the first call\'s type and destinations for a repeated Idempotency-Key', async () => {
      const key = `evt-${Date.now()}`;
      const first = await ingest('{"k": 1}', { 'CL-X-EVENT-TYPE': 'invoice.paid', 'Idempotency-Key': key }).expect(202);
      const again = await ingest('{"k": 1}', { 'CL-X-EVENT-TYPE': 'order.created', 'Idempotency-Key': key }).expect(202);
      expect(again.body).toEqual(first.body);
      expect(first.body.destinations).toBe(3);
    });
  });
});
