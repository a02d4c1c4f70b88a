import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { requireService } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A real full disk: the app's SQLite files on a tmpfs of their own, filled to the last block by a filler
 * file. 24 MB holds a fresh database many times over and fills in well under a second.
 */
const mountPoint = mkdtempSync(join(tmpdir(), 'data-pusher-disk-'));
const describeWithTmpfs = await requireService('a 24 MB tmpfs of its own (mount -t tmpfs, as root)', async () => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(mountPoint);
    throw error;
  }
});

/** Writes a file until the disk refuses another byte; returns its path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    // Big blocks first, then single bytes for what is left of the last one.
    for (const size of [1 << 20, 4096, 1]) {
      const block = Buffer.alloc(size, 0x61);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

interface MessageView {
  payload: unknown;
  deliveries: Array<{ status: string; attempts: number }>;
}

describeWithTmpfs('a full disk (SQLite on a tmpfs)', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    // Short attempts, so a lease (2 × DELIVERY_TIMEOUT_MS + 5 s = 9 s) runs out within the test.
    t = await startTestApp({ DELIVERY_TIMEOUT_MS: '2000' }, { under: mountPoint });
    sink = await startSink();
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    execFileSync('umount', [mountPoint]);
    rmdirSync(mountPoint);
  });

  const ingest = (token: string, body: object) => request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).send(body);
  const message = async (id: string) => (await request(t.server).get(`/messages/${id}`).set(t.admin).expect(200)).body as MessageView;
  const sentOf = (id: string) => sink.received.filter((r) => r.headers['webhook-id'] === id);

  it('answers 503 with Retry-After for every write, reports the storage in /health, loses nothing and recovers by itself', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/hook` });
    // The first attempt is answered only once the disk is full: its outcome cannot be recorded.
    sink.behave((_request, index) => (index === 0 ? { status: 200, delayMs: 1_000 } : { status: 200 }));
    const before = (await ingest(account.app_secret_token, { n: 'before' }).expect(202)).body.message_id as string;
    await expectEventually(() => expect(sentOf(before)).toHaveLength(1));

    const filler = fillDisk(mountPoint);
    try {
      const refused = await ingest(account.app_secret_token, { n: 'refused' });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(expectErrorShape(refused.body, 503)).toEqual(['Service Unavailable']);

      const onBehalf = await request(t.server).post(`/accounts/${account.account_id}/messages`).set(t.admin).send({ n: 'on behalf' });
      expect([onBehalf.status, onBehalf.headers['retry-after']]).toEqual([503, expect.stringMatching(/^\d+$/)]);
      const management = await request(t.server).post('/accounts').set(t.admin).send({ email: 'full@example.com', account_name: 'Full' });
      expect([management.status, management.headers['retry-after']]).toEqual([503, expect.stringMatching(/^\d+$/)]);
      expect(expectErrorShape(management.body, 503)).toEqual(['Service Unavailable']);

      const health = await request(t.server).get('/health').expect(503);
      expect(expectErrorShape(health.body, 503)).toContainEqual(expect.stringMatching(/^storage: the database cannot write: disk full \(SQLITE_\w+\)$/));

      // Reads go on.
      expect((await message(before)).payload).toEqual({ n: 'before' });
      await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(200);
      // The first attempt's 200 came while the disk was full: it could not be recorded, so the delivery is still pending.
      await expectEventually(() => expect(sink.received[0].answeredAt).toBeDefined());
      expect((await message(before)).deliveries).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
      expect((await request(t.server).get('/health').expect(503)).body.message).toContainEqual(expect.stringMatching(/^storage: /));
    } finally {
      rmSync(filler);
    }

    // Space again: no restart, writes and health come back by themselves.
    const after = await expectEventually(
      async () => (await ingest(account.app_secret_token, { n: 'after' }).expect(202)).body.message_id as string,
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    await request(t.server).post('/accounts').set(t.admin).send({ email: 'space@example.com', account_name: 'Space' }).expect(201);
    await expectEventually(
      async () => {
        const health = await request(t.server).get('/health');
        expect([health.status, health.body.info?.storage]).toEqual([200, { status: 'up' }]);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );

    // The message accepted before the disk filled is delivered. Its first answer came while the disk was full:
    // if recording it failed, the delivery was sent again once its lease ran out, recorded this time; if the
    // recorder's commit came only after the space was back, that one send was recorded. Either way it is not lost.
    await expectEventually(
      async () => expect((await message(before)).deliveries).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1 })]),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(sentOf(before).length).toBeGreaterThanOrEqual(1);
    await expectEventually(async () => expect((await message(after)).deliveries).toEqual([expect.objectContaining({ status: 'succeeded' })]));

    // Nothing of the refused messages was stored: only the two accepted ones are in the account's log.
    const log = await request(t.server).get(`/accounts/${account.account_id}/messages`).set(t.admin).expect(200);
    expect((log.body.data as Array<{ message_id: string }>).map((m) => m.message_id).sort()).toEqual([before, after].sort());
  }, 60_000);
});
