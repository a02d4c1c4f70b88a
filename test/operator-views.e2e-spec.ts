import request from 'supertest';
import { DeliveryHistory } from '../src/delivery/delivery-history.js';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface OperatorDelivery {
  delivery_id: string;
  message_id: string;
  account_id: string;
  destination_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
}

/** The sink's paths: `/ok` answers 200, `/down` 503, `/slow` only after the test is over (its delivery stays pending). */
function sinkBehaviour(req: { path: string }) {
  if (req.path.startsWith('/down')) return { status: 503 };
  if (req.path.startsWith('/slow')) return { status: 200, delayMs: 60_000 };
  return { status: 200 };
}

/** One retry 50 ms after the first attempt: a delivery to `/down` is failed after two. */
const APP_ENV = { RETRY_SCHEDULE: '50ms', DELIVERY_TIMEOUT_MS: '120000' };

function operatorViewTests(context: () => { t: TestApp; sink: Sink }) {
  const ingest = async (t: TestApp, token: string, body: object): Promise<string> =>
    (await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(body).expect(202)).body.message_id;
  const list = (t: TestApp, query: string) => request(t.server).get(`/deliveries${query}`).set(t.admin);

  /** Every page of the list, following next_cursor until null. */
  async function allPages(t: TestApp, status: string, limit: number): Promise<OperatorDelivery[]> {
    const items: OperatorDelivery[] = [];
    let cursor: string | null = null;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(50);
      const page: { data: OperatorDelivery[]; next_cursor: string | null } = (
        await list(t, `?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
      ).body;
      expect(Object.keys(page).sort()).toEqual(['data', 'next_cursor']);
      expect(page.data.length).toBeLessThanOrEqual(limit);
      items.push(...page.data);
      cursor = page.next_cursor;
      if (cursor === null) return items;
      expect(page.data).toHaveLength(limit);
    }
  }

  it('lists the deliveries of every account by status, newest first, page by page until next_cursor is null', async () => {
    const { t, sink } = context();
    const accounts = [await createAccount(t), await createAccount(t)];
    for (const account of accounts) {
      for (const path of ['ok', 'down', 'slow']) await createDestination(t, account.account_id, { url: `${sink.url}/${path}` });
    }
    // Interleaved, so that newest first mixes the accounts.
    const messages: Array<{ id: string; account_id: string }> = [];
    for (const n of [1, 2]) {
      for (const account of accounts) messages.push({ id: await ingest(t, account.app_secret_token, { n }), account_id: account.account_id });
    }

    // What each message says of its deliveries, once the failing ones have failed and the good ones succeeded.
    const expected = await expectEventually(
      async () => {
        const all: OperatorDelivery[] = [];
        for (const message of messages) {
          const body = (await request(t.server).get(`/messages/${message.id}`).set(t.admin).expect(200)).body;
          for (const delivery of body.deliveries as Array<OperatorDelivery & Record<string, unknown>>) {
            all.push({
              delivery_id: delivery.delivery_id,
              message_id: message.id,
              account_id: message.account_id,
              destination_id: delivery.destination_id,
              status: delivery.status,
              attempts: delivery.attempts,
              last_status_code: delivery.last_status_code,
              last_error: delivery.last_error,
            });
          }
        }
        const counts = (status: string) => all.filter((delivery) => delivery.status === status).length;
        expect({ failed: counts('failed'), succeeded: counts('succeeded'), pending: counts('pending') }).toEqual({ failed: 4, succeeded: 4, pending: 4 });
        return all;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    const newestFirst = (status: string) =>
      expected.filter((delivery) => delivery.status === status).sort((a, b) => (a.delivery_id < b.delivery_id ? 1 : -1));

    for (const status of ['failed', 'succeeded', 'pending']) {
      const whole = (await list(t, `?status=${status}`).expect(200)).body;
      expect(whole).toEqual({ data: newestFirst(status), next_cursor: null });
      expect(new Set(whole.data.map((d: OperatorDelivery) => d.account_id))).toEqual(new Set(accounts.map((a) => a.account_id)));
      for (const limit of [1, 3]) expect(await allPages(t, status, limit)).toEqual(newestFirst(status));
    }
    // A message's own deliveries by status still read that message's, whatever the index across accounts.
    for (const status of ['failed', 'succeeded', 'pending']) {
      const own = (await request(t.server).get(`/messages/${messages[0].id}/deliveries?status=${status}`).set(t.admin).expect(200)).body.data;
      const wanted = expected.filter((d) => d.message_id === messages[0].id && d.status === status).map((d) => d.delivery_id);
      expect(own.map((d: OperatorDelivery) => d.delivery_id)).toEqual(wanted);
    }
    const failed = newestFirst('failed');
    expect(failed[0]).toMatchObject({ status: 'failed', attempts: 2, last_status_code: 503 });
    // Without a status: the failed ones, the operator's first question.
    expect((await list(t, '?limit=2').expect(200)).body).toEqual({ data: failed.slice(0, 2), next_cursor: failed[1].delivery_id });
    expect((await list(t, `?status=failed&cursor=${failed[1].delivery_id}`).expect(200)).body).toEqual({ data: failed.slice(2), next_cursor: null });
  }, 30_000);

  it('answers 400 in the error shape for a bad status, limit or cursor or an unknown parameter, and 401 without the admin key', async () => {
    const { t } = context();
    const bad: Array<[string, string[]]> = [
      ['?status=lost', ['status must be one of pending, succeeded, failed']],
      ['?status=', ['status must be one of pending, succeeded, failed']],
      ['?limit=0', ['limit must be an integer from 1 to 100']],
      ['?limit=101', ['limit must be an integer from 1 to 100']],
      ['?limit=abc', ['limit must be an integer from 1 to 100']],
      ['?cursor=nope', ['cursor must be a next_cursor returned by a previous page']],
      ['?account_id=0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', ['property account_id should not exist']],
    ];
    for (const [query, messages] of bad) {
      const res = await list(t, query).expect(400);
      expect({ query, messages: expectErrorShape(res.body, 400) }).toEqual({ query, messages });
    }
    expectErrorShape((await request(t.server).get('/deliveries?status=failed').expect(401)).body, 401);
    expectErrorShape((await request(t.server).get('/deliveries').set('Authorization', 'Bearer wrong').expect(401)).body, 401);
  });

  it('counts with dry_run what a recover would take, changing nothing; the recover then takes that many', async () => {
    const { t, sink } = context();
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/down` });
    const other = await createDestination(t, account.account_id, { url: `${sink.url}/down-too` });
    const failedOf = (messageIds: string[]) =>
      expectEventually(
        async () => {
          const views: Array<{ status: string; attempts: number; destination_id: string }> = [];
          for (const id of messageIds) views.push(...(await request(t.server).get(`/messages/${id}`).set(t.admin).expect(200)).body.deliveries);
          expect(views.map((view) => [view.status, view.attempts])).toEqual(Array(messageIds.length * 2).fill(['failed', 2]));
          return views;
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
    const before = await ingest(t, account.app_secret_token, { n: 'before' });
    await failedOf([before]);
    const since = new Date().toISOString();
    const during = [];
    for (const n of [1, 2, 3]) during.push(await ingest(t, account.app_secret_token, { n }));
    const states = await failedOf([before, ...during]);

    const recover = (body: object) => request(t.server).post(`/destinations/${destination.destination_id}/recover`).set(t.admin).send(body);
    expect((await recover({ since, dry_run: true }).expect(200)).body).toEqual({ would_recover: 3 });
    expect((await recover({ since: '2000-01-01T00:00:00Z', dry_run: true }).expect(200)).body).toEqual({ would_recover: 4 });
    expect((await recover({ since: '2999-01-01T00:00:00Z', dry_run: true }).expect(200)).body).toEqual({ would_recover: 0 });
    // The same count when it takes several steps (the old message's delivery among the ones read, not counted).
    for (const stepSize of [1, 2, 3, 4]) {
      expect(await t.app.get(DeliveryHistory).countRecoverable(destination.destination_id, Date.parse(since), stepSize)).toBe(3);
    }
    // Nothing changed: every delivery still failed after its two attempts, none sent again.
    expect(await failedOf([before, ...during])).toEqual(states);
    const failedOfDestination = async () =>
      (await allPages(t, 'failed', 100)).filter((d) => d.destination_id === destination.destination_id || d.destination_id === other.destination_id);
    expect(await failedOfDestination()).toHaveLength(8);

    // dry_run false is the recover itself, and it takes as many as the dry run counted.
    expect((await recover({ since, dry_run: false }).expect(202)).body).toEqual({ recovered: 3 });
    // Still down: they fail again after the schedule (two more attempts), and would be counted again.
    for (const id of during) {
      await expectEventually(
        async () => {
          const view = (await request(t.server).get(`/messages/${id}`).set(t.admin).expect(200)).body.deliveries.find(
            (d: { destination_id: string }) => d.destination_id === destination.destination_id,
          );
          expect([view.status, view.attempts]).toEqual(['failed', 4]);
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
    }
    expect((await recover({ since, dry_run: true }).expect(200)).body).toEqual({ would_recover: 3 });
  }, 45_000);

  it('answers 400 for a dry_run that is not a boolean or an unknown field, 404 for an unknown destination, 401 without the key', async () => {
    const { t } = context();
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id);
    const recover = (id: string, body: object) => request(t.server).post(`/destinations/${id}/recover`).set(t.admin).send(body);
    const since = '2026-01-02T03:04:05Z';
    for (const dryRun of ['true', 1, 0, null, {}]) {
      const problems = expectErrorShape((await recover(destination.destination_id, { since, dry_run: dryRun }).expect(400)).body, 400);
      expect({ dryRun, problems }).toEqual({ dryRun, problems: ['dry_run must be true or false'] });
    }
    expect(expectErrorShape((await recover(destination.destination_id, { dry_run: true }).expect(400)).body, 400)).toEqual(['since is required']);
    expect(expectErrorShape((await recover(destination.destination_id, { since, dry_run: true, x: 1 }).expect(400)).body, 400)).toEqual([
      'property x should not exist',
    ]);
    await recover('0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', { since, dry_run: true }).expect(404);
    await request(t.server).post(`/destinations/${destination.destination_id}/recover`).send({ since, dry_run: true }).expect(401);
    expect((await recover(destination.destination_id, { since, dry_run: true }).expect(200)).body).toEqual({ would_recover: 0 });
  });
}

describe('operator views on SQLite: GET /deliveries and recover dry_run', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink(sinkBehaviour);
    t = await startTestApp(APP_ENV);
  });
  afterAll(async () => {
    // The sink first: it drops the slow deliveries' connections, which the app would otherwise wait for.
    await sink.close();
    await t.close();
  });

  operatorViewTests(() => ({ t, sink }));
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('operator views on PostgreSQL: GET /deliveries and recover dry_run', () => {
  let schema: TestSchema;
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    schema = await createTestSchema('operator');
    sink = await startSink(sinkBehaviour);
    t = await startTestApp({ ...APP_ENV, DATABASE_URL: schema.url });
  });
  afterAll(async () => {
    // The sink first: it drops the slow deliveries' connections, which the app would otherwise wait for.
    await sink.close();
    await t.close();
    await schema.drop();
  });

  operatorViewTests(() => ({ t, sink }));
});
