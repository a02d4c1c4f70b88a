import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers health without auth', async () => {
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('creates an account with the admin key', async () => {
    const res = await request(t.server).post('/accounts').set(t.admin).send({ email: 'a@example.com', account_name: 'A' }).expect(201);
    expect(res.body.app_secret_token).toEqual(expect.any(String));
  });
});
