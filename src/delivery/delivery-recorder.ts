import { Injectable } from '@nestjs/common';
import { SqlRunner } from '../database/sql.js';
import { type AttemptRecord, recordAttempts } from './delivery-store.sql.js';

/**
 * Writes finished attempts with group commit: all attempts that finish in one event-loop turn share one
 * transaction. A caller's promise settles once its record is committed.
 */
@Injectable()
export class DeliveryRecorder {
  private waiting: Array<{ record: AttemptRecord; done: (error?: unknown) => void }> = [];
  private scheduled = false;
  private readonly commits = new Set<Promise<void>>();

  constructor(private readonly sql: SqlRunner) {}

  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ record, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  /** Settles once everything recorded so far is committed (graceful shutdown). */
  async flush(): Promise<void> {
    if (this.waiting.length) this.commit();
    await Promise.allSettled([...this.commits]);
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    const commit = this.sql
      .transaction(() => recordAttempts(batch.map((entry) => entry.record), Date.now()))
      .then(
        () => batch.forEach((entry) => entry.done()),
        (error: unknown) => batch.forEach((entry) => entry.done(error)),
      )
      .finally(() => this.commits.delete(commit));
    this.commits.add(commit);
  }
}
