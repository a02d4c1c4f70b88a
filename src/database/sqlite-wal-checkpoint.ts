import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { isStorageFull } from '../common/storage-full.js';
import { sql, SqlRunner } from './sql.js';

/**
 * Between two of these the log holds at most what the autocheckpoint lets it (see data-source-options.ts);
 * this one also gives the file's space back when writing pauses, so a quiet service keeps no big -wal file.
 */
const CHECKPOINT_EVERY_MS = 10_000;

/**
 * Checkpoints SQLite's write-ahead log into the database file and truncates the log, from a timer of the
 * process that owns the file. The automatic checkpoints after commits (PASSIVE) copy but never shrink the
 * file. It runs through the SqlRunner, between our transactions, so no transaction of this process keeps
 * it from resetting the log; another process's reader makes it wait at most busy_timeout, and then it tries
 * again next time. An empty log makes it nearly free.
 */
@Injectable()
export class SqliteWalCheckpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SqliteWalCheckpoint.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sql: SqlRunner) {}

  onApplicationBootstrap(): void {
    if (this.sql.dialect !== 'sqlite') return;
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async checkpoint(): Promise<void> {
    try {
      await this.sql.execute(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    } catch (error) {
      // A full disk is warned about once by StorageStatus.
      if (!isStorageFull(error)) this.logger.warn(`Checkpointing the SQLite write-ahead log failed; trying again in ${CHECKPOINT_EVERY_MS / 1000} s: ${String(error)}`);
    }
  }
}
