import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { type Sink, startSink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Overview {
  generated_at: string;
  pending: number;
  failed: number;
  attempts_per_second: Array<{ start: string; succeeded: number; failed: number }>;
  disabled_destinations: { count: number; data: Array<{ destination_id: string; disabled_reason: string; url: string }> };
}

describe('GET /overview', () => {
  let t: TestApp;
  let sink: Sink;

  beforeAll(async () => {
    [t, sink] = await Promise.all([
      startTestApp({ RETRY_SCHEDULE: '100ms', AUTO_DISABLE_AFTER: '1s' }),
      startSink((received) => ({ status: received.path === '/up' ? 200 : 503 })),
    ]);
  });

  afterAll(async () => {
    await Promise.all([t?.close(), sink?.close()]);
  });

  it('needs the admin key', async () => {
    await request(t.server).get('/overview').expect(401);
  });

  it('counts pending and failed deliveries and attempts per minute, and lists auto-disabled destinations but not paused ones', async () => {
    const account = await createAccount(t);
    const down = await createDestination(t, account.account_id, { url: `${sink.url}/down` });
    await createDestination(t, account.account_id, { url: `${sink.url}/up` });
    const paused = await createDestination(t, account.account_id, { url: `${sink.url}/up`, enabled: false });
    await request(t.server)
      .post('/server/incoming_data')
      .set('CL-X-TOKEN', account.app_secret_token)
      .send({ order: 1 })
      .expect(202);

    const overview = await expectEventually(
      async () => {
        const body = (await request(t.server).get('/overview').set(t.admin).expect(200)).body as Overview;
        expect(body.disabled_destinations.count).toBe(1);
        expect(body.failed).toBe(1);
        return body;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(overview.pending).toBe(0);
    expect(overview.disabled_destinations.data).toEqual([
      expect.objectContaining({ destination_id: down.destination_id, url: `${sink.url}/down`, disabled_reason: expect.stringMatching(/HTTP 503$/) }),
    ]);
    expect(overview.disabled_destinations.data.map((d) => d.destination_id)).not.toContain(paused.destination_id);

    // Five minutes in steps of 10 s, oldest first; these attempts (1 success, 2 failures) are in the last minute.
    expect(overview.attempts_per_second).toHaveLength(30);
    const starts = overview.attempts_per_second.map((step) => Date.parse(step.start));
    expect(starts.slice(1).map((start, index) => start - starts[index])).toEqual(Array(29).fill(10_000));
    const recent = overview.attempts_per_second.slice(-6);
    expect(recent.some((m) => m.succeeded > 0)).toBe(true);
    expect(recent.some((m) => m.failed > 0)).toBe(true);
  });
});
