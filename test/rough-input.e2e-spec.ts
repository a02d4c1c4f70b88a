import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { newId } from '../src/common/ids.js';
import { createAccount } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// Found by an adversarial review: each of these was a 500.
describe('rough input to the management API gets a 4xx, never a 500', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function send(method: 'post' | 'put' | 'patch', path: string, body: string) {
    return request(t.server)[method](path).set(t.admin).set('Content-Type', 'application/json').send(body);
  }

  it.each([
    ['1,500 nested arrays', nestedArrays(1500)],
    ['4,000 nested objects', nestedObjects(4000)],
  ])('answers a body with %s in any field with 400', async (_case, deep) => {
    const account = await createAccount(t);
    const destination = await send(
      'post',
      '/destinations',
      JSON.stringify({ account_id: account.account_id, url: 'http://127.0.0.1:9/x', http_method: 'POST', headers: {} }),
    ).expect(201);
    const id = destination.body.destination_id as string;
    const calls: Array<['post' | 'put' | 'patch', string, string]> = [
      ['post', '/accounts', `{"email":${deep},"account_name":"Deep"}`],
      ['patch', `/accounts/${account.account_id}`, `{"account_name":${deep}}`],
      ['post', '/destinations', `{"account_id":"${account.account_id}","url":"http://127.0.0.1:9/x","http_method":"POST","headers":{"x":${deep}}}`],
      ['put', `/destinations/${id}`, `{"url":"http://127.0.0.1:9/x","http_method":"POST","headers":${deep}}`],
      ['patch', `/destinations/${id}`, `{"headers":{"a":${deep}}}`],
      ['post', `/destinations/${id}/recover`, `{"since":${deep}}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await send(method, path, body);
      expect([method, path, res.status, res.body]).toEqual([
        method,
        path,
        400,
        { statusCode: 400, error: 'Bad Request', message: 'The body nests arrays and objects more than 32 levels deep' },
      ]);
    }
  });

  it('answers a lone surrogate in an email with 400', async () => {
    for (const [method, path] of [
      ['post', '/accounts'],
      ['put', `/accounts/${(await createAccount(t)).account_id}`],
    ] as const) {
      const res = await send(method, path, '{"email":"a\\ud800@example.com","account_name":"Surrogate"}');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        'The body contains a lone surrogate (an unpaired \\uD800-\\uDFFF escape): text must be well-formed Unicode',
      );
    }
    // A pair is a character like any other.
    const rocket = await send('post', '/accounts', `{"email":"${randomUUID()}@example.com","account_name":"Rocket \\ud83d\\ude80"}`).expect(201);
    expect(rocket.body.account_name).toBe('Rocket 🚀');
  });

  it('shows a stored payload nested 4,150 levels deep', async () => {
    const account = await createAccount(t);
    // Ingest now refuses more than 1,000 levels: a payload this deep can only be one stored before that.
    const payload = `{"deep":${nestedObjects(4150)},"big":12345678901234567890}`;
    const id = newId();
    const db = new Database(t.databasePath);
    try {
      db.prepare('INSERT INTO messages (id, account_id, payload, received_at) VALUES (?, ?, ?, ?)').run(id, account.account_id, payload, Date.now());
    } finally {
      db.close();
    }
    const res = await request(t.server).get(`/messages/${id}`).set(t.admin).expect(200);
    expect(res.text).toContain(`"payload":${payload},`);
  });
});
