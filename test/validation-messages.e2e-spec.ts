import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, uniqueEmail } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A 400's list says each real problem once: one line per property, nothing contradictory, nothing extra. */
describe('validation messages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function problemsOf(req: request.Test): Promise<string[]> {
    const res = await req.expect(400);
    return expectErrorShape(res.body, 400);
  }

  it('a PUT without email says only that email is required', async () => {
    const account = await createAccount(t);
    const problems = await problemsOf(request(t.server).put(`/accounts/${account.account_id}`).set(t.admin).send({ account_name: 'A' }));
    expect(problems).toEqual(['email is required']);
  });

  it('a POST without any field names each required one once', async () => {
    expect(await problemsOf(request(t.server).post('/accounts').set(t.admin).send({}))).toEqual(
      expect.arrayContaining(['email is required', 'account_name is required']),
    );
    expect(await problemsOf(request(t.server).post('/accounts').set(t.admin).send({}))).toHaveLength(2);
    const destination = await problemsOf(request(t.server).post('/destinations').set(t.admin).send({}));
    expect(destination.sort()).toEqual(['account_id is required', 'headers is required', 'http_method is required', 'url is required']);
  });

  it.each([
    ['empty', '', 'account_name should not be empty'],
    ['too long', 'x'.repeat(201), 'account_name must be shorter than or equal to 200 characters'],
    ['not a string', 12, 'account_name must be a string'],
  ])('an account_name that is %s gets one line', async (_, accountName, message) => {
    const problems = await problemsOf(request(t.server).post('/accounts').set(t.admin).send({ email: uniqueEmail(), account_name: accountName }));
    expect(problems).toEqual([message]);
  });

  it('a bad email and a bad website get one line each', async () => {
    const problems = await problemsOf(
      request(t.server).post('/accounts').set(t.admin).send({ email: 'x'.repeat(400), account_name: 'A', website: 'ftp://x' }),
    );
    expect(problems.sort()).toEqual(['email must be a valid email address', 'website must be an http(s) URL or null']);
  });

  it.each(['abc', '0', '101', '2.5', ''])('limit=%s gets one line that says what is allowed', async (limit) => {
    for (const path of ['/accounts', '/destinations']) {
      const problems = await problemsOf(request(t.server).get(path).query({ limit }).set(t.admin));
      expect(problems).toEqual(['limit must be an integer from 1 to 100']);
    }
  });
});
