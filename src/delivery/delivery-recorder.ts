import { Injectable, Logger } from '@nestjs/common';
import { inBackground } from '../common/background.js';
import { isStorageFull } from '../common/storage-full.js';
import { SqlRunner } from '../database/sql.js';
import { type AttemptRecord, recordAttempts } from './delivery-store.sql.js';

/** Records wait at most this long to share a transaction with others. */
const COMMIT_DELAY_MS = 5;
/** On SQLite a commit holds the one connection: 256 records keep that hold well under 100 ms (/health, ingest). */
const MAX_BATCH = 256;

/**
 * Writes finished attempts with group commit: attempts that finish within a few milliseconds share one
 * transaction. Until its record commits, a delivery stays leased, so a crash in between only means the
 * attempt is made again after the lease expires (at least once, never lost).
 */
@Injectable()
export class DeliveryRecorder {
  private waiting: Array<{ record: AttemptRecord; done: (error?: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly commits = new Set<Promise<void>>();
  private readonly logger = new Logger(DeliveryRecorder.name);

  constructor(private readonly sql: SqlRunner) {}

  /** Settles once the record is committed. */
  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ record, done: (error) => (error ? reject(error) : resolve()) });
      // The commit serves every attempt that joins it, so it runs (and logs) as no caller's.
      if (this.waiting.length >= MAX_BATCH) inBackground(() => this.commit());
      else this.timer ??= inBackground(() => setTimeout(() => this.commit(), COMMIT_DELAY_MS));
    });
  }

  /** Settles once everything recorded so far is committed (graceful shutdown). */
  async flush(): Promise<void> {
    if (this.waiting.length) this.commit();
    await Promise.allSettled([...this.commits]);
  }

  private commit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    const commit = this.sql
      .transaction(() => recordAttempts(batch.map((entry) => entry.record), Date.now(), this.sql.dialect))
      .then(
        () => batch.forEach((entry) => entry.done()),
        // One bad record must not hold the others hostage: each is tried again in its own transaction.
        () => Promise.all(batch.map((entry) => this.commitAlone(entry))).then(() => undefined),
      )
      .finally(() => this.commits.delete(commit));
    this.commits.add(commit);
  }

  private async commitAlone(entry: { record: AttemptRecord; done: (error?: unknown) => void }): Promise<void> {
    try {
      await this.sql.transaction(() => recordAttempts([entry.record], Date.now(), this.sql.dialect));
      entry.done();
    } catch (error) {
      // A full disk is warned about once by StorageStatus, not once per attempt.
      if (!isStorageFull(error)) this.logger.error(`Could not record an attempt of delivery ${entry.record.job.deliveryId}: ${String(error)}`);
      entry.done(error);
    }
  }
}
