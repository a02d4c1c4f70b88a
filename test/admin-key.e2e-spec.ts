import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { startTestApp, type TestApp } from './support/test-app.js';

function readKey(dataDir: string): string {
  return readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
}

describe('the generated admin API key (SQLite, ADMIN_API_KEY unset)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_API_KEY: '' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is saved beside the database file, readable by its owner only', () => {
    const file = join(t.dataDir, 'admin-api-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readKey(t.dataDir);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(key, 'base64url').length).toBeGreaterThanOrEqual(16);
    // The key the harness made up was not given to the app, so it is not the app's key.
    expect(key).not.toBe(t.adminKey);
  });

  it('authenticates the management API, and nothing else does', async () => {
    const key = readKey(t.dataDir);
    await request(t.server).get('/accounts').set('Authorization', `Bearer ${key}`).expect(200);
    await request(t.server)
      .post('/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ email: 'generated-key@example.com', account_name: 'Generated' })
      .expect(201);
    expectErrorShape((await request(t.server).get('/accounts').set(t.admin).expect(401)).body, 401);
    expectErrorShape((await request(t.server).get('/accounts').set('Authorization', 'Bearer ').expect(401)).body, 401);
    expectErrorShape((await request(t.server).get('/accounts').expect(401)).body, 401);
  });

  it('stays the same across a restart on the same data folder', async () => {
    const first = await startTestApp({ ADMIN_API_KEY: '' });
    // Stop the app but keep its folder: the second start must find the key there.
    await first.app.close();
    const key = readKey(first.dataDir);
    let second: TestApp | undefined;
    try {
      second = await startTestApp({ ADMIN_API_KEY: '', DATABASE_URL: `sqlite:${first.databasePath}` });
      expect(readKey(first.dataDir)).toBe(key);
      expect(statSync(join(first.dataDir, 'admin-api-key')).mode & 0o777).toBe(0o600);
      await request(second.server).get('/accounts').set('Authorization', `Bearer ${key}`).expect(200);
      await request(second.server).get('/accounts').set(second.admin).expect(401);
    } finally {
      await second?.close();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });

  it('is not used when ADMIN_API_KEY is set', async () => {
    const own = await startTestApp({ ADMIN_API_KEY: 'a-key-chosen-by-the-operator' });
    try {
      await request(own.server).get('/accounts').set('Authorization', 'Bearer a-key-chosen-by-the-operator').expect(200);
      expect(() => statSync(join(own.dataDir, 'admin-api-key'))).toThrow(/ENOENT/);
    } finally {
      await own.close();
    }
  });
});
