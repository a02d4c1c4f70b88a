import Database from 'better-sqlite3';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, createDestination, type DestinationBody } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CONTROL_DEFAULTS = { enabled: true, disabled_reason: null, disabled_at: null, rate_limit: null, max_in_flight: null };

type SchemaObject = { properties?: Record<string, { example?: unknown; nullable?: boolean }>; required?: string[] };

describe('destination controls: enabled, rate_limit, max_in_flight', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function newDestination(fields: Record<string, unknown> = {}): Promise<DestinationBody> {
    const account = await createAccount(t);
    return createDestination(t, account.account_id, fields);
  }

  const read = async (id: string) => (await request(t.server).get(`/destinations/${id}`).set(t.admin).expect(200)).body;
  const patch = (id: string, body: Record<string, unknown>) => request(t.server).patch(`/destinations/${id}`).set(t.admin).send(body);

  /** The 400's messages, after checking the error shape. */
  async function problemsOf(req: request.Test): Promise<string[]> {
    return expectErrorShape((await req.expect(400)).body, 400);
  }

  function failingSinceOf(id: string): unknown {
    const db = new Database(t.databasePath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT failing_since FROM destinations WHERE id = ?').get(id) as { failing_since: unknown }).failing_since;
    } finally {
      db.close();
    }
  }

  it('gives a new destination the defaults: enabled, no reason, no limits', async () => {
    const created = await newDestination();
    expect(created).toMatchObject(CONTROL_DEFAULTS);
    expect(await read(created.destination_id)).toEqual(created);
  });

  it('never shows the internal failure clock', async () => {
    const created = await newDestination({ enabled: false, rate_limit: 3 });
    expect(Object.keys(created)).not.toContain('failing_since');
    expect(Object.keys(await read(created.destination_id))).not.toContain('failing_since');
  });

  it('takes every control on create; a disabled one says "manual" and when', async () => {
    const before = Date.now();
    const created = await newDestination({ enabled: false, rate_limit: 10, max_in_flight: 3 });
    expect(created).toMatchObject({ enabled: false, disabled_reason: 'manual', rate_limit: 10, max_in_flight: 3 });
    expect(created.disabled_at).toMatch(ISO_TIME);
    expect(Date.parse(String(created.disabled_at))).toBeGreaterThanOrEqual(before);
    expect(Date.parse(String(created.disabled_at))).toBeLessThanOrEqual(Date.now());
    expect(await read(created.destination_id)).toEqual(created);
  });

  it('takes explicit defaults on create (enabled true, null limits)', async () => {
    const created = await newDestination({ enabled: true, rate_limit: null, max_in_flight: null });
    expect(created).toMatchObject(CONTROL_DEFAULTS);
  });

  it('PATCH disables and enables again: the reason and time come and go, the rest stays', async () => {
    const created = await newDestination({ rate_limit: 7 });

    const disabled = (await patch(created.destination_id, { enabled: false }).expect(200)).body;
    expect(disabled).toEqual({ ...created, enabled: false, disabled_reason: 'manual', disabled_at: expect.stringMatching(ISO_TIME), updated_at: expect.stringMatching(ISO_TIME) });
    expect(await read(created.destination_id)).toEqual(disabled);

    // Disabling what is disabled, or changing something else, keeps the first reason and time.
    expect((await patch(created.destination_id, { enabled: false }).expect(200)).body.disabled_at).toBe(disabled.disabled_at);
    const edited = (await patch(created.destination_id, { url: 'https://elsewhere.example.com/in' }).expect(200)).body;
    expect(edited).toMatchObject({ enabled: false, disabled_reason: 'manual', disabled_at: disabled.disabled_at, rate_limit: 7 });

    const enabled = (await patch(created.destination_id, { enabled: true }).expect(200)).body;
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null, rate_limit: 7, url: 'https://elsewhere.example.com/in' });
    expect(await read(created.destination_id)).toEqual(enabled);
  });

  it('PATCH sets and clears rate_limit and max_in_flight independently', async () => {
    const created = await newDestination();
    expect((await patch(created.destination_id, { rate_limit: 25 }).expect(200)).body).toMatchObject({ rate_limit: 25, max_in_flight: null });
    expect((await patch(created.destination_id, { max_in_flight: 4 }).expect(200)).body).toMatchObject({ rate_limit: 25, max_in_flight: 4 });
    expect(await read(created.destination_id)).toMatchObject({ rate_limit: 25, max_in_flight: 4, enabled: true });
    expect((await patch(created.destination_id, { rate_limit: null }).expect(200)).body).toMatchObject({ rate_limit: null, max_in_flight: 4 });
    expect((await patch(created.destination_id, { max_in_flight: null }).expect(200)).body).toMatchObject(CONTROL_DEFAULTS);
    expect(await read(created.destination_id)).toMatchObject(CONTROL_DEFAULTS);
  });

  it('accepts the bounds: 1 and the largest values', async () => {
    const created = await newDestination({ rate_limit: 1, max_in_flight: 1 });
    expect(created).toMatchObject({ rate_limit: 1, max_in_flight: 1 });
    const patched = (await patch(created.destination_id, { rate_limit: 100_000, max_in_flight: 10_000 }).expect(200)).body;
    expect(patched).toMatchObject({ rate_limit: 100_000, max_in_flight: 10_000 });
  });

  it('PUT without controls leaves them as they are; PUT with them sets them', async () => {
    const created = await newDestination({ enabled: false, rate_limit: 9, max_in_flight: 2 });
    const body = { url: 'https://put.example.com/in', http_method: 'PUT', headers: {} };
    const replaced = (await request(t.server).put(`/destinations/${created.destination_id}`).set(t.admin).send(body).expect(200)).body;
    expect(replaced).toMatchObject({ ...body, enabled: false, disabled_reason: 'manual', disabled_at: created.disabled_at, rate_limit: 9, max_in_flight: 2 });

    const withControls = (
      await request(t.server)
        .put(`/destinations/${created.destination_id}`)
        .set(t.admin)
        .send({ ...body, enabled: true, rate_limit: null, max_in_flight: 5 })
        .expect(200)
    ).body;
    expect(withControls).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null, rate_limit: null, max_in_flight: 5 });
    expect(await read(created.destination_id)).toEqual(withControls);
  });

  it('enabling again restarts the failure clock that auto-disable reads', async () => {
    const created = await newDestination({ enabled: false });
    const db = new Database(t.databasePath, { fileMustExist: true });
    try {
      db.prepare('UPDATE destinations SET failing_since = ? WHERE id = ?').run(Date.now() - 60_000, created.destination_id);
    } finally {
      db.close();
    }
    await patch(created.destination_id, { rate_limit: 2 }).expect(200);
    expect(failingSinceOf(created.destination_id)).not.toBeNull();
    await patch(created.destination_id, { enabled: true }).expect(200);
    expect(failingSinceOf(created.destination_id)).toBeNull();
  });

  describe('validation', () => {
    const badLimits: Array<[string, unknown]> = [
      ['zero', 0],
      ['negative', -1],
      ['a fraction', 1.5],
      ['a numeric string', '5'],
      ['a string', 'fast'],
      ['a boolean', true],
      ['an object', { per_second: 5 }],
      ['too large', 10_000_000],
    ];
    const limitFields: Array<[string, string]> = [
      ['rate_limit', 'rate_limit must be an integer from 1 to 100000, or null'],
      ['max_in_flight', 'max_in_flight must be an integer from 1 to 10000, or null'],
    ];

    describe.each(limitFields)('%s', (field, message) => {
      it.each(badLimits)('rejects %s on create with one message, storing nothing', async (_, value) => {
        const account = await createAccount(t);
        const problems = await problemsOf(
          request(t.server)
            .post('/destinations')
            .set(t.admin)
            .send({ account_id: account.account_id, url: 'https://x.example.com', http_method: 'POST', headers: {}, [field]: value }),
        );
        expect(problems).toEqual([message]);
        const list = await request(t.server).get(`/accounts/${account.account_id}/destinations`).set(t.admin).expect(200);
        expect(list.body.data).toEqual([]);
      });

      it.each(badLimits)('rejects %s on PATCH and leaves the destination as it was', async (_, value) => {
        const created = await newDestination({ [field]: 3 });
        expect(await problemsOf(patch(created.destination_id, { [field]: value }))).toEqual([message]);
        expect(await read(created.destination_id)).toEqual(created);
      });

      it('rejects a bad value on PUT too', async () => {
        const created = await newDestination();
        const problems = await problemsOf(
          request(t.server)
            .put(`/destinations/${created.destination_id}`)
            .set(t.admin)
            .send({ url: 'https://x.example.com', http_method: 'POST', headers: {}, [field]: 0 }),
        );
        expect(problems).toEqual([message]);
      });
    });

    it.each([
      ['null', null],
      ['the string "false"', 'false'],
      ['a number', 0],
      ['an object', {}],
    ])('rejects enabled that is %s', async (_, value) => {
      const created = await newDestination();
      expect(await problemsOf(patch(created.destination_id, { enabled: value }))).toEqual(['enabled must be true or false']);
      expect(await read(created.destination_id)).toEqual(created);
    });

    it.each([
      ['disabled_reason', 'manual'],
      ['disabled_at', '2026-01-01T00:00:00.000Z'],
      ['disabled_reason', null],
      ['failing_since', 0],
    ])('treats the read-only %s as an unknown field on POST, PUT and PATCH', async (field, value) => {
      const created = await newDestination();
      const base = { url: 'https://x.example.com', http_method: 'POST', headers: {} };
      const expected = [`property ${field} should not exist`];
      expect(
        await problemsOf(request(t.server).post('/destinations').set(t.admin).send({ ...base, account_id: created.account_id, [field]: value })),
      ).toEqual(expected);
      expect(
        await problemsOf(request(t.server).put(`/destinations/${created.destination_id}`).set(t.admin).send({ ...base, [field]: value })),
      ).toEqual(expected);
      expect(await problemsOf(patch(created.destination_id, { enabled: false, [field]: value }))).toEqual(expected);
      expect(await read(created.destination_id)).toEqual(created);
    });

    it('lists every bad control at once', async () => {
      const created = await newDestination();
      const problems = await problemsOf(patch(created.destination_id, { enabled: 'no', rate_limit: 0, max_in_flight: -2 }));
      expect(problems.sort()).toEqual([
        'enabled must be true or false',
        'max_in_flight must be an integer from 1 to 10000, or null',
        'rate_limit must be an integer from 1 to 100000, or null',
      ]);
    });
  });

  describe('API docs', () => {
    let schemas: Record<string, SchemaObject>;
    beforeAll(async () => {
      schemas = (await request(t.server).get('/docs-json').expect(200)).body.components.schemas;
    });

    it('documents the controls on every input, optional, and none of the read-only fields', () => {
      for (const name of ['CreateDestinationDto', 'ReplaceDestinationDto', 'UpdateDestinationDto']) {
        const properties = Object.keys(schemas[name].properties ?? {});
        expect(properties).toEqual(expect.arrayContaining(['enabled', 'rate_limit', 'max_in_flight']));
        expect(properties).not.toEqual(expect.arrayContaining(['disabled_reason']));
        expect(properties).not.toContain('disabled_at');
        expect(properties).not.toContain('failing_since');
        expect(schemas[name].required ?? []).not.toEqual(expect.arrayContaining(['enabled']));
      }
    });

    it('documents every control in the answer, the nullable ones as nullable', () => {
      const properties = schemas.DestinationResponseDto.properties ?? {};
      expect(Object.keys(properties)).toEqual(expect.arrayContaining(Object.keys(CONTROL_DEFAULTS)));
      for (const field of ['disabled_reason', 'disabled_at', 'rate_limit', 'max_in_flight']) expect(properties[field].nullable).toBe(true);
    });

    it('has a create example that works as it is', async () => {
      const account = await createAccount(t);
      const example = Object.fromEntries(
        Object.entries(schemas.CreateDestinationDto.properties ?? {})
          .filter(([, property]) => property.example !== undefined)
          .map(([field, property]) => [field, property.example]),
      );
      expect(Object.keys(example)).toEqual(expect.arrayContaining(['enabled', 'rate_limit', 'max_in_flight']));
      const created = await createDestination(t, account.account_id, { ...example, account_id: account.account_id });
      expect(created).toMatchObject({ enabled: example.enabled, rate_limit: example.rate_limit, max_in_flight: example.max_in_flight });
    });
  });
});
