import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination, type DestinationBody } from './support/factories.js';
import { type ReceivedRequest, startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** What a receiver does with the README's code: the standardwebhooks library over the raw body. */
function verifies(secret: string, received: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(received.body, {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

async function deliverOne(t: TestApp, sink: Sink, token: string, payload: object): Promise<ReceivedRequest> {
  const before = sink.received.length;
  await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(payload).expect(202);
  return expectEventually(() => {
    expect(sink.received.length).toBe(before + 1);
    return sink.received[before];
  });
}

describe('signing-secret rotation with the default overlap (24h)', () => {
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

  const rotate = (id: string, body?: object) => {
    const req = request(t.server).post(`/destinations/${id}/rotate-secret`).set(t.admin);
    return body === undefined ? req : req.send(body);
  };

  async function setUp(): Promise<{ token: string; destination: DestinationBody }> {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/hook` });
    return { token: account.app_secret_token, destination };
  }

  it('generates a new secret and signs with both, new first, so receivers with either secret accept deliveries', async () => {
    const { token, destination } = await setUp();
    const started = Date.now();
    const res = await rotate(destination.destination_id).expect(200);
    expect(res.body).toEqual({
      ...destination,
      signing_secret: expect.stringMatching(SECRET),
      previous_secret_expires_at: expect.stringMatching(ISO_TIME),
      updated_at: expect.stringMatching(ISO_TIME),
    });
    const fresh = res.body.signing_secret as string;
    expect(fresh).not.toBe(destination.signing_secret);
    const expires = Date.parse(res.body.previous_secret_expires_at);
    expect(expires).toBeGreaterThanOrEqual(started + 24 * 3600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect((await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200)).body).toEqual(res.body);

    const received = await deliverOne(t, sink, token, { order: 1 });
    const signatures = String(received.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(verifies(fresh, received)).toBe(true);
    expect(verifies(destination.signing_secret, received)).toBe(true);
    // New first: the first signature alone is the new secret's.
    expect(verifies(fresh, { ...received, headers: { ...received.headers, 'webhook-signature': signatures[0] } })).toBe(true);
  });

  it('takes a supplied whsec_ secret and signs with it', async () => {
    const { token, destination } = await setUp();
    const chosen = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const res = await rotate(destination.destination_id, { signing_secret: chosen }).expect(200);
    expect(res.body.signing_secret).toBe(chosen);
    const received = await deliverOne(t, sink, token, { order: 2 });
    expect(verifies(chosen, received)).toBe(true);
    expect(verifies(destination.signing_secret, received)).toBe(true);
  });

  it('keeps only the secret just replaced when rotating again during an overlap', async () => {
    const { token, destination } = await setUp();
    const second = (await rotate(destination.destination_id, {}).expect(200)).body.signing_secret as string;
    const third = (await rotate(destination.destination_id).expect(200)).body.signing_secret as string;
    const received = await deliverOne(t, sink, token, { order: 3 });
    expect(String(received.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(third, received)).toBe(true);
    expect(verifies(second, received)).toBe(true);
    expect(verifies(destination.signing_secret, received)).toBe(false);
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['too short a key', 'whsec_c2hvcnQ='],
    ['not base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa$w'],
    ['not a string', 42],
  ])('rejects a supplied secret with %s (400) and keeps the current one', async (_, secret) => {
    const { destination } = await setUp();
    const problems = expectErrorShape((await rotate(destination.destination_id, { signing_secret: secret }).expect(400)).body, 400);
    expect(problems).toEqual(['signing_secret must be "whsec_" followed by the base64 of 24 to 64 random bytes']);
    const read = await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200);
    expect(read.body.signing_secret).toBe(destination.signing_secret);
    expect(read.body.previous_secret_expires_at).toBeNull();
  });

  it('rejects the current secret, unknown fields, unknown and malformed ids, and a missing admin key', async () => {
    const { destination } = await setUp();
    const same = await rotate(destination.destination_id, { signing_secret: destination.signing_secret }).expect(400);
    expect(expectErrorShape(same.body, 400)).toEqual(['signing_secret must differ from the current one']);
    expect(expectErrorShape((await rotate(destination.destination_id, { secret: 'x' }).expect(400)).body, 400)).toEqual([
      'property secret should not exist',
    ]);
    await rotate('0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b').expect(404);
    await rotate('not-a-uuid').expect(400);
    await request(t.server).post(`/destinations/${destination.destination_id}/rotate-secret`).expect(401);
  });
});

describe('signing-secret rotation: the end of the overlap', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    t = await startTestApp({ SECRET_ROTATION_OVERLAP: '1500ms' });
    sink = await startSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('signs with both secrets until previous_secret_expires_at, then with the new one only', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/hook` });
    const rotated = (await request(t.server).post(`/destinations/${destination.destination_id}/rotate-secret`).set(t.admin).expect(200)).body;
    const fresh = rotated.signing_secret as string;

    const during = await deliverOne(t, sink, account.app_secret_token, { when: 'during' });
    // The overlap may have ended already on a slow machine; the point is what holds after it.
    if (Date.now() < Date.parse(rotated.previous_secret_expires_at) - 500) {
      expect(verifies(destination.signing_secret, during)).toBe(true);
    }
    expect(verifies(fresh, during)).toBe(true);

    // The destination itself says when the overlap is over.
    await expectEventually(
      async () => {
        const read = await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200);
        expect(read.body.previous_secret_expires_at).toBeNull();
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const after = await deliverOne(t, sink, account.app_secret_token, { when: 'after' });
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(fresh, after)).toBe(true);
    expect(verifies(destination.signing_secret, after)).toBe(false);
  });
});

describe('signing-secret rotation without overlap (SECRET_ROTATION_OVERLAP=0)', () => {
  it('signs with the new secret only, at once', async () => {
    const t = await startTestApp({ SECRET_ROTATION_OVERLAP: '0' });
    const sink = await startSink();
    try {
      const account = await createAccount(t);
      const destination = await createDestination(t, account.account_id, { url: `${sink.url}/hook` });
      const rotated = (await request(t.server).post(`/destinations/${destination.destination_id}/rotate-secret`).set(t.admin).expect(200)).body;
      expect(rotated.previous_secret_expires_at).toBeNull();
      const received = await deliverOne(t, sink, account.app_secret_token, { n: 1 });
      expect(verifies(rotated.signing_secret, received)).toBe(true);
      expect(verifies(destination.signing_secret, received)).toBe(false);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
