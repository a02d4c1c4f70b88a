import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { SqlRunner } from '../src/database/sql.js';
import type { DeliveryJob } from '../src/delivery/delivery-job.js';
import { DeliveryRecorder } from '../src/delivery/delivery-recorder.js';
import type { AttemptRecord } from '../src/delivery/delivery-store.sql.js';

/**
 * The recorder commits the attempts that finish together in one transaction; when that transaction fails,
 * each record is tried again alone, so one record the database refuses does not lose the others.
 */
describe('the delivery recorder', () => {
  let dataDir: string;
  let dataSource: DataSource;
  let recorder: DeliveryRecorder;
  beforeAll(async () => {
    // The refused record's error line is expected here.
    Logger.overrideLogger(false);
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-recorder-'));
    dataSource = await new DataSource(buildDataSourceOptions({ kind: 'sqlite', path: join(dataDir, 'db.sqlite') })).initialize();
    await runMigrations(dataSource);
    recorder = new DeliveryRecorder(new SqlRunner(dataSource));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  /** Leased deliveries of one message to one destination, as a claim leaves them. */
  async function leasedJobs(count: number, leasedUntil: number): Promise<DeliveryJob[]> {
    const [accountId, destinationId, messageId] = [randomUUID(), randomUUID(), randomUUID()];
    const now = Date.now();
    await dataSource.query(`INSERT INTO accounts (id, email, account_name, token_hash, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, ?)`, [
      accountId,
      `${accountId}@example.com`,
      accountId.replace(/-/g, '').padEnd(64, '0'),
      now,
      now,
    ]);
    await dataSource.query(
      `INSERT INTO destinations (id, account_id, url, http_method, headers, signing_secret, created_at, updated_at)
       VALUES (?, ?, 'http://127.0.0.1:9/x', 'POST', '{}', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ?, ?)`,
      [destinationId, accountId, now, now],
    );
    await dataSource.query(`INSERT INTO messages (id, account_id, payload, received_at) VALUES (?, ?, '{}', ?)`, [messageId, accountId, now]);
    const jobs: DeliveryJob[] = [];
    for (let i = 0; i < count; i++) {
      const deliveryId = randomUUID();
      await dataSource.query(
        `INSERT INTO deliveries (id, message_id, destination_id, status, attempts, next_attempt_at, leased_until, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
        [deliveryId, messageId, destinationId, now, leasedUntil, now, now],
      );
      jobs.push({
        deliveryId,
        messageId,
        destinationId,
        accountId,
        attemptsMade: 0,
        scheduleStart: 0,
        leasedUntil,
        url: 'http://127.0.0.1:9/x',
        httpMethod: 'POST',
        headersJson: '{}',
        signingSecret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        previousSigningSecrets: [],
        payload: '{}',
        eventType: null,
        retryScheduleMs: null,
      });
    }
    return jobs;
  }

  function succeeded(job: DeliveryJob): AttemptRecord {
    return {
      job,
      result: { statusCode: 200, durationMs: 3, error: null, responseBody: 'ok', retryAfterMs: null, permanent: false },
      at: Date.now(),
      status: 'succeeded',
      nextAttemptAt: null,
    };
  }

  it('records every other attempt of a batch when the database refuses one of them', async () => {
    const jobs = await leasedJobs(5, Date.now() + 60_000);
    const refused = jobs[2].deliveryId;
    // The database itself refuses that one row, as it would a value it cannot store.
    await dataSource.query(
      `CREATE TRIGGER refuse_one BEFORE UPDATE ON deliveries WHEN OLD.id = '${refused}' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`,
    );
    try {
      // Recorded together, within the recorder's commit delay: one transaction, which fails.
      const outcomes = await Promise.allSettled(jobs.map((job) => recorder.record(succeeded(job))));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);

      const rows: Array<{ id: string; status: string; leased_until: number | null; attempts: number }> = await dataSource.query(
        `SELECT d.id, d.status, d.leased_until, (SELECT COUNT(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
           FROM deliveries d WHERE d.message_id = ?`,
        [jobs[0].messageId],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const job of jobs) {
        const row = byId.get(job.deliveryId);
        if (job.deliveryId === refused) {
          // Still leased and pending: it is attempted again once the lease expires (at least once, never lost).
          expect(row).toMatchObject({ status: 'pending', leased_until: job.leasedUntil, attempts: 0 });
        } else {
          expect(row).toMatchObject({ status: 'succeeded', leased_until: null, attempts: 1 });
        }
      }
    } finally {
      await dataSource.query('DROP TRIGGER refuse_one');
    }
  });
});
