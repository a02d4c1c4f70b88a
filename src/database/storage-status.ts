import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sql, SqlRunner } from './sql.js';
import { storageFullCode } from '../common/storage-full.js';

/** The probe's statement (SQLite's and Postgres' text): its own failures do not hold health down once it succeeds. */
const probe = (now: number) => sql`UPDATE storage_probe SET written_at = ${now} WHERE id = 1`;
const PROBE_TEXTS = new Set([probe(0).sql, probe(0).text]);

/**
 * A probe write can succeed while bigger writes still fail (it rewrites a page that exists; an insert needs
 * the files to grow): health comes back only once the probe succeeds and no other write has failed for this
 * long.
 */
const QUIET_MS = 5_000;

export interface StorageProblem {
  /** The driver's code of the last failure, e.g. SQLITE_FULL or 53100. */
  code: string;
  since: number;
}

/**
 * Whether the database can write its files. Every query of the data source is watched (ingest, management
 * writes, the delivery recorder, anything added later): a storage error (see common/storage-full.ts) marks writes
 * as failing. While they are, `check` makes a small real write, so that health recovers by itself even when
 * no client writes; while they are not, it costs nothing.
 */
@Injectable()
export class StorageStatus {
  private readonly logger = new Logger(StorageStatus.name);
  private problem: StorageProblem | null = null;
  private lastFailureAt = 0;
  private probing: Promise<StorageProblem | null> | null = null;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly sql: SqlRunner,
  ) {
    dataSource.subscribers.push({
      afterQuery: (event) => {
        if (!event.success && !PROBE_TEXTS.has(event.query)) this.failed(event.error);
      },
    });
  }

  /** Null while the database writes; else since when and why it has not. Probes while it has not. */
  check(): Promise<StorageProblem | null> {
    if (!this.problem) return Promise.resolve(null);
    // Concurrent health checks share one probe.
    this.probing ??= this.probe().finally(() => (this.probing = null));
    return this.probing;
  }

  private failed(error: unknown): void {
    const code = storageFullCode(error);
    if (code === null) return;
    this.lastFailureAt = Date.now();
    if (this.problem) {
      this.problem.code = code;
      return;
    }
    this.problem = { code, since: this.lastFailureAt };
    // Once per episode, not per request: a full disk may be taking the log's own space too. The code only:
    // a driver's message can quote file names or values.
    this.logger.warn(`The database cannot write (${code}): writes answer 503 and /health is down until a write succeeds`);
  }

  private async probe(): Promise<StorageProblem | null> {
    try {
      await this.sql.execute(probe(Date.now()));
    } catch (error) {
      const code = storageFullCode(error);
      if (code !== null && this.problem) this.problem.code = code;
      return this.problem;
    }
    if (!this.problem || Date.now() - this.lastFailureAt < QUIET_MS) return this.problem;
    this.logger.log(`The database writes again (it could not for ${Math.round((Date.now() - this.problem.since) / 1000)} s)`);
    this.problem = null;
    return null;
  }
}
