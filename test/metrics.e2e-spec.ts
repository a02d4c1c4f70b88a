import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('GET /metrics', () => {
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

  it('counts ingest answers by status and delivery attempts by outcome, without auth', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/m` });
    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ a: 1 }).expect(202);
    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', 'nope').send({ a: 1 }).expect(401);
    await expectEventually(() => expect(sink.received).toHaveLength(1));

    const text = await expectEventually(async () => {
      const res = await request(t.server).get('/metrics').expect(200);
      expect(metricValue(res.text, 'data_pusher_delivery_attempts_total{outcome="succeeded"}')).toBe(1);
      expect(metricValue(res.text, 'data_pusher_pending_deliveries')).toBe(0);
      return res.text;
    });
    expect(metricValue(text, 'data_pusher_ingest_requests_total{status="202"}')).toBe(1);
    expect(metricValue(text, 'data_pusher_ingest_requests_total{status="401"}')).toBe(1);
    expect(text).toContain('data_pusher_delivery_attempt_duration_seconds_bucket');
    expect(text).toContain('data_pusher_process_cpu_seconds_total');
    expect(text).not.toContain(account.app_secret_token);
  });
});

