import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { peakConcurrency, peakRate } from './support/arrivals.js';
import { startSink, type Sink } from './support/sink.js';
import { startServerProcess } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('destination controls at delivery time', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    t = await startTestApp({ RETRY_SCHEDULE: '300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms', DESTINATION_MAX_IN_FLIGHT: '3' });
    sink = await startSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const ingest = (token: string, body: object) => request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(body).expect(202);
  const at = (path: string) => sink.received.filter((r) => r.path === path);

  it('holds the pending deliveries of a disabled destination and sends them once it is enabled again', async () => {
    const account = await createAccount(t);
    const held = await createDestination(t, account.account_id, { url: `${sink.url}/held` });
    await createDestination(t, account.account_id, { url: `${sink.url}/control` });
    // Both fail for now, so both deliveries stay pending and are retried every 300 ms.
    sink.behave((r) => (r.path === '/held' || r.path === '/control' ? { status: 503 } : { status: 200 }));
    await ingest(account.app_secret_token, { n: 1 });
    await expectEventually(() => expect(at('/held').length).toBeGreaterThanOrEqual(1));

    await request(t.server).patch(`/destinations/${held.destination_id}`).set(t.admin).send({ enabled: false }).expect(200);
    const heldBefore = at('/held').length;
    const controlBefore = at('/control').length;
    // Three more retries of the enabled one: time for as many of the disabled one, had it gone on.
    await expectEventually(() => expect(at('/control').length).toBeGreaterThanOrEqual(controlBefore + 3), { timeoutMs: 10_000 });
    expect(at('/held').length).toBeLessThanOrEqual(heldBefore + 1);

    // A new message makes no delivery for the disabled destination.
    const res = await ingest(account.app_secret_token, { n: 2 });
    expect(res.body.destinations).toBe(1);

    sink.behave(() => ({ status: 200 }));
    await request(t.server).patch(`/destinations/${held.destination_id}`).set(t.admin).send({ enabled: true }).expect(200);
    await expectEventually(() => expect(at('/held').some((r) => r.body === '{"n":1}' && r.answeredAt !== undefined)).toBe(true), { timeoutMs: 5_000 });
    const view = await request(t.server).get(`/messages/${res.body.message_id}`).set(t.admin).expect(200);
    expect(view.body.deliveries).toHaveLength(1);
  });

  it('never has more attempts in flight to a destination than its max_in_flight', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/two`, max_in_flight: 2 });
    sink.behave(() => ({ status: 200, delayMs: 150 }));
    for (let i = 0; i < 10; i++) await ingest(account.app_secret_token, { i });
    await expectEventually(() => expect(at('/two').filter((r) => r.answeredAt).length).toBe(10), { timeoutMs: 10_000 });
    expect(peakConcurrency(at('/two'))).toBe(2);
  });

  it('uses DESTINATION_MAX_IN_FLIGHT for a destination that sets no max_in_flight', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/default` });
    sink.behave(() => ({ status: 200, delayMs: 150 }));
    for (let i = 0; i < 12; i++) await ingest(account.app_secret_token, { i });
    await expectEventually(() => expect(at('/default').filter((r) => r.answeredAt).length).toBe(12), { timeoutMs: 10_000 });
    expect(peakConcurrency(at('/default'))).toBe(3);
  });

  it('sends no more attempts per second to a destination than its rate_limit', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/rated`, rate_limit: 5 });
    sink.behave(() => ({ status: 200 }));
    await Promise.all(Array.from({ length: 15 }, (_, i) => ingest(account.app_secret_token, { i })));
    await expectEventually(() => expect(at('/rated')).toHaveLength(15), { timeoutMs: 10_000 });
    const times = at('/rated').map((r) => r.at);
    // Windows of 200 ms with one attempt each: a sliding second can straddle six of them, and an attempt may
    // reach the sink a little after its window, hence one more. Without the limit all 15 arrive at once.
    expect(peakRate(at('/rated'), 1_000)).toBeLessThanOrEqual(7);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2_000);
  });
});

describe('auto-disable', () => {
  it('disables a destination failing for AUTO_DISABLE_AFTER, says why in a warning and counts it', async () => {
    const sink = await startSink(() => ({ status: 503 }));
    const dir = mkdtempSync(join(tmpdir(), 'data-pusher-auto-'));
    const adminKey = 'auto-disable-admin-key-0123456789';
    const server = await startServerProcess({
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ADMIN_API_KEY: adminKey,
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      RETRY_SCHEDULE: '100ms',
      AUTO_DISABLE_AFTER: '1s',
    });
    const admin = { Authorization: `Bearer ${adminKey}` };
    try {
      const account = (await request(server.url).post('/accounts').set(admin).send({ email: 'auto@example.com', account_name: 'Auto' }).expect(201)).body;
      const destination = (
        await request(server.url)
          .post('/destinations')
          .set(admin)
          .send({ account_id: account.account_id, url: `${sink.url}/down`, http_method: 'POST', headers: {} })
          .expect(201)
      ).body;
      const healthy = (
        await request(server.url)
          .post('/destinations')
          .set(admin)
          .send({ account_id: account.account_id, url: `${sink.url}/up`, http_method: 'POST', headers: {} })
          .expect(201)
      ).body;
      sink.behave((r) => ({ status: r.path === '/up' ? 200 : 503 }));
      await request(server.url).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);

      const disabled = await expectEventually(
        async () => {
          const body = (await request(server.url).get(`/destinations/${destination.destination_id}`).set(admin).expect(200)).body;
          expect(body.enabled).toBe(false);
          return body;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(disabled.disabled_reason).toMatch(/^failing since \d{4}-\d{2}-\d{2}T[\d:.]+Z: HTTP 503$/);
      expect(disabled.disabled_at).toEqual(expect.any(String));
      // The destination that answers stays enabled.
      expect((await request(server.url).get(`/destinations/${healthy.destination_id}`).set(admin).expect(200)).body.enabled).toBe(true);
      const metrics = (await request(server.url).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^data_pusher_destinations_disabled_total 1$/m);
      await expectEventually(() => expect(server.output()).toContain(`Destination ${destination.destination_id} of account`));
    } finally {
      await server.kill('SIGKILL');
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
