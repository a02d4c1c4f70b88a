import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createHttpApp } from '../src/http-app.js';
import { uniqueEmail } from './support/factories.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Starts the app on `databasePath`, makes one write (so the -wal file exists), and returns the open app. */
async function startAndWrite(databasePath: string) {
  const adminKey = randomBytes(24).toString('base64url');
  const app = await createHttpApp({ DATABASE_URL: `sqlite:${databasePath}`, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'silent' });
  await request(app.getHttpServer())
    .post('/accounts')
    .set('Authorization', `Bearer ${adminKey}`)
    .send({ email: uniqueEmail(), account_name: 'Files' })
    .expect(201);
  return app;
}

// The database holds signing secrets, app token hashes and destination headers (receivers' API keys).
describe('the SQLite files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'data-pusher-files-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('are created owner-only (0600), -wal and -shm included, in folders it creates owner-only (0700)', async () => {
    const databasePath = join(root, 'new', 'data', 'data-pusher.sqlite');
    const app = await startAndWrite(databasePath);
    try {
      expect(modeOf(join(root, 'new'))).toBe(0o700);
      expect(modeOf(join(root, 'new', 'data'))).toBe(0o700);
      for (const file of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`]) {
        expect(existsSync(file)).toBe(true);
        expect([file, modeOf(file)]).toEqual([file, 0o600]);
      }
    } finally {
      await app.close();
    }
  });

  it('leaves a folder that exists already as its owner made it', async () => {
    chmodSync(root, 0o755);
    const databasePath = join(root, 'data-pusher.sqlite');
    const app = await startAndWrite(databasePath);
    try {
      expect(modeOf(root)).toBe(0o755);
      expect(modeOf(databasePath)).toBe(0o600);
      expect(modeOf(`${databasePath}-wal`)).toBe(0o600);
    } finally {
      await app.close();
    }
  });
});
