import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, createDestination } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('event types: the destinations\' event_types filter', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
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
});
