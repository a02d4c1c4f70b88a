import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination, type DestinationBody } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
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

  /** Whether the n-th signature of the header, alone, is the secret's: the order receivers see. */
  const signedFirstBy = (received: ReceivedRequest, index: number, secret: string) =>
    verifies(secret, { ...received, headers: { ...received.headers, 'webhook-signature': String(received.headers['webhook-signature']).split(' ')[index] } });

  it('keeps every secret whose overlap still runs: after S0 → S1 → S2 deliveries are signed S2 S1 S0', async () => {
    const { token, destination } = await setUp();
    const s1 = (await rotate(destination.destination_id, {}).expect(200)).body;
    const s2 = (await rotate(destination.destination_id).expect(200)).body;
    // The overlap ends with the last earlier secret's: S1's, which began last.
    expect(Date.parse(s2.previous_secret_expires_at)).toBeGreaterThanOrEqual(Date.parse(s1.previous_secret_expires_at));
    const received = await deliverOne(t, sink, token, { order: 3 });
    const chain = [s2.signing_secret as string, s1.signing_secret as string, destination.signing_secret];
    expect(String(received.headers['webhook-signature']).split(' ')).toHaveLength(3);
    chain.forEach((secret, index) => {
      expect(verifies(secret, received)).toBe(true);
      expect(signedFirstBy(received, index, secret)).toBe(true);
    });
  });

  it('signs at most three times: a third rotation within the overlap stops the oldest secret at once', async () => {
    const { token, destination } = await setUp();
    const rotated: string[] = [];
    for (let i = 0; i < 3; i++) rotated.push((await rotate(destination.destination_id).expect(200)).body.signing_secret as string);
    const received = await deliverOne(t, sink, token, { order: 4 });
    expect(String(received.headers['webhook-signature']).split(' ')).toHaveLength(3);
    rotated.reverse().forEach((secret, index) => expect(signedFirstBy(received, index, secret)).toBe(true));
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

const describeWithPostgres = await requirePostgres();

describeWithPostgres('signing-secret rotation on PostgreSQL under concurrency', () => {
  let schema: TestSchema;
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    schema = await createTestSchema('rotation');
    t = await startTestApp({ DATABASE_URL: schema.url });
    sink = await startSink();
    // Every change of a destination's secrets, in the order the database made them (an update holds the row
    // until it commits, so the serial numbers follow the commits): the chain the rotations built.
    await schema.client.query(`
      CREATE TABLE "${schema.name}".secret_changes (
        seq bigserial PRIMARY KEY, replaced text, current text, previous text, older text);
      CREATE FUNCTION "${schema.name}".record_secret_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO "${schema.name}".secret_changes (replaced, current, previous, older)
            VALUES (OLD.signing_secret, NEW.signing_secret, NEW.previous_signing_secret, NEW.older_signing_secret);
          RETURN NEW;
        END $$;
      CREATE TRIGGER secret_changes AFTER UPDATE OF signing_secret ON "${schema.name}".destinations
        FOR EACH ROW EXECUTE FUNCTION "${schema.name}".record_secret_change();`);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    await schema?.drop();
  });

  it('answers 50 concurrent rotations with 200 and chains them all: each keeps the secret it replaced', async () => {
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/pg-rotation` });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => request(t.server).post(`/destinations/${destination.destination_id}/rotate-secret`).set(t.admin)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
    const answered = answers.map((res) => res.body.signing_secret as string);
    expect(new Set(answered).size).toBe(50);

    const { rows } = await schema.client.query<{ replaced: string; current: string; previous: string; older: string | null }>(
      `SELECT replaced, current, previous, older FROM "${schema.name}".secret_changes ORDER BY seq`,
    );
    expect(rows.map((row) => row.current).sort()).toEqual([...answered].sort());
    let before = { current: destination.signing_secret, previous: null as string | null };
    for (const row of rows) {
      // Each rotation replaced the secret the one before it set, kept it as previous, and the one before as older.
      expect(row).toEqual({ replaced: before.current, current: row.current, previous: before.current, older: before.previous });
      before = { current: row.current, previous: row.previous };
    }

    // The newest three sign the next delivery, newest first; the standardwebhooks library accepts each.
    const newest = rows.slice(-3).map((row) => row.current).reverse();
    const read = (await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200)).body;
    expect(read.signing_secret).toBe(newest[0]);
    const received = await deliverOne(t, sink, account.app_secret_token, { after: 'concurrent rotations' });
    const signatures = String(received.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(3);
    newest.forEach((secret, index) =>
      expect(verifies(secret, { ...received, headers: { ...received.headers, 'webhook-signature': signatures[index] } })).toBe(true),
    );
  });
});
