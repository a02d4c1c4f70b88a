import { existsSync, statSync } from 'node:fs';
import request from 'supertest';
import { createAccount } from './support/factories.js';
import { expectEventually } from './support/expect-eventually.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MIB = 1024 * 1024;
/** The contract's bound on SQLite's write-ahead log. */
const WAL_LIMIT = 64 * MIB;
/**
 * 160 messages of just under 1 MiB (MAX_PAYLOAD_BYTES' default) from 64 clients at once: 160 MiB in all, 2.5
 * times the bound, so a log that were never reset would pass it, and group commit gets batches of many
 * messages at once. About 6 s; then the log is given back within one checkpoint period (10 s).
 */
const MESSAGES = 160;
const CLIENTS = 64;
const PAYLOAD_BYTES = MIB - 1024;

describe("SQLite's write-ahead log", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('stays at most 64 MiB while far more than that is written through the API, and shrinks once writing pauses', async () => {
    const account = await createAccount(t);
    const walPath = `${t.databasePath}-wal`;
    let largest = 0;
    const sample = () => {
      if (existsSync(walPath)) largest = Math.max(largest, statSync(walPath).size);
    };
    // Sampled from a timer while the requests run (the app shares this event loop, so samples land between its turns).
    const sampler = setInterval(sample, 5);
    const filler = 'x'.repeat(PAYLOAD_BYTES - 20);
    let sent = 0;
    try {
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (sent < MESSAGES) {
            const n = sent++;
            await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ n, filler }).expect(202);
            sample();
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    sample();
    expect(sent * PAYLOAD_BYTES).toBeGreaterThan(WAL_LIMIT * 1.4);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(WAL_LIMIT);
    console.log(`largest -wal file seen: ${(largest / MIB).toFixed(1)} MiB after ${sent} messages of ${(PAYLOAD_BYTES / MIB).toFixed(2)} MiB`);

    // Once writing pauses, the file's space is given back (the automatic checkpoints only reuse it).
    await expectEventually(() => expect(statSync(walPath).size).toBeLessThan(MIB), { timeoutMs: 15_000, intervalMs: 200 });
  }, 45_000);
});
