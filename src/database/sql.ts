import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sqlTag, { Sql } from 'sql-template-tag';
import type { DataSource, QueryRunner } from 'typeorm';
import { SqliteConnectionLock } from './sqlite-connection-lock.js';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

/**
 * The hand-written SQL of the hot paths is written with the `sql` tag (sql-template-tag): values are
 * bound, never pasted, and the placeholders of each dialect (`?` for SQLite, `$n` for Postgres) are written
 * by the library when the statement runs, from where the values are, not found again in the text.
 */
export const sql = sqlTag;
export { Sql };

export interface StatementResult {
  rows: Row[];
  changes: number;
}

/**
 * A unit of work written once for both databases: a generator that yields statements and receives their
 * results. It runs in one transaction (see SqlRunner.transaction).
 */
export type SqlWork<T> = Generator<Sql, T, StatementResult>;

/** Postgres may abort one of two transactions that wait on each other; running it again is the remedy. */
const POSTGRES_RETRYABLE = new Set(['40P01', '40001']);
const POSTGRES_ATTEMPTS = 3;

/**
 * Runs the hand-written SQL of the hot paths (group-commit ingest, claims, records) through TypeORM's
 * QueryRunner. Everything else uses repositories.
 *
 * SQLite: TypeORM shares one QueryRunner (one connection) among all callers and nests concurrent
 * transactions as savepoints of each other, so a work holds the SqliteConnectionLock for its whole
 * transaction and every other query waits for it. A long work gives the event loop a turn now and then,
 * so a big fan-out cannot stall HTTP. Postgres: each work gets a pooled connection of its own.
 */
@Injectable()
export class SqlRunner {
  readonly dialect: Dialect;
  private readonly sqliteLock: SqliteConnectionLock | null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.sqliteLock = this.dialect === 'sqlite' ? SqliteConnectionLock.for(dataSource) : null;
  }

  /** Runs the work in one transaction and returns what it returns. */
  async transaction<T>(work: () => SqlWork<T>): Promise<T> {
    if (this.sqliteLock) return this.runOnSqlite(this.sqliteLock, work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnPostgres(work, true);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= POSTGRES_ATTEMPTS || !POSTGRES_RETRYABLE.has(code ?? '')) throw error;
      }
    }
  }

  /**
   * Runs the work without wrapping it in one transaction on Postgres: each statement is atomic on its own
   * (no BEGIN/COMMIT round trips). For works whose statements need not commit together, such as one
   * self-contained statement. On SQLite it is the same as `transaction`.
   */
  async run<T>(work: () => SqlWork<T>): Promise<T> {
    return this.sqliteLock ? this.runOnSqlite(this.sqliteLock, work) : this.runOnPostgres(work, false);
  }

  /** A single statement in its own implicit transaction (a read, or one self-contained write). */
  async execute(query: Sql): Promise<StatementResult> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await this.query(runner, query);
    } finally {
      // On SQLite this is TypeORM's one shared runner, whose release only clears its caches.
      if (!this.sqliteLock) await runner.release();
    }
  }

  private async query(runner: QueryRunner, query: Sql): Promise<StatementResult> {
    const text = this.dialect === 'postgres' ? query.text : query.sql;
    const result = await runner.query(text, query.values, true);
    const rows = (result.records ?? []) as Row[];
    return { rows, changes: result.affected ?? rows.length };
  }

  private async runOnSqlite<T>(lock: SqliteConnectionLock, work: () => SqlWork<T>): Promise<T> {
    return lock.hold(async (yieldIfLong) => {
      const runner = this.dataSource.createQueryRunner();
      // IMMEDIATE takes the write lock up front: a reader turning writer mid-way could fail with SQLITE_BUSY
      // (the delivery thread writes through a connection of its own). TypeORM's startTransaction would BEGIN
      // DEFERRED.
      await runner.query('BEGIN IMMEDIATE');
      try {
        const steps = work();
        let step = steps.next();
        while (!step.done) {
          const result = await this.query(runner, step.value);
          await yieldIfLong();
          step = steps.next(result);
        }
        await runner.query('COMMIT');
        return step.value;
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async runOnPostgres<T>(work: () => SqlWork<T>, inTransaction: boolean): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      if (inTransaction) await runner.startTransaction();
      const steps = work();
      let step = steps.next();
      while (!step.done) step = steps.next(await this.query(runner, step.value));
      if (inTransaction) await runner.commitTransaction();
      return step.value;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
