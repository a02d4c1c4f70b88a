import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

/** One statement with `?` placeholders (turned into `$n` for Postgres). */
export interface Statement {
  text: string;
  params: SqlValue[];
}

export interface StatementResult {
  rows: Row[];
  changes: number;
}

/**
 * A unit of work written once for both databases: a generator that yields statements and receives their
 * results. On SQLite it is driven synchronously inside one better-sqlite3 transaction, so nothing else on
 * the shared connection can run in the middle of it; on Postgres it runs in a transaction on a pooled client.
 */
export type SqlWork<T> = Generator<Statement, T, StatementResult>;

export function statement(text: string, params: SqlValue[] = []): Statement {
  return { text, params };
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row insert. */
export function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

function toPostgres(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

const STATEMENT_CACHE_SIZE = 500;

@Injectable()
export class SqlRunner {
  readonly dialect: Dialect;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** Runs the work in one transaction and returns what it returns. */
  async transaction<T>(work: () => SqlWork<T>): Promise<T> {
    return this.dialect === 'sqlite' ? this.runSqlite(work) : this.runPostgres(work);
  }

  /**
   * Runs the work without wrapping it in one transaction on Postgres: each statement is atomic on its own
   * and costs one round trip (no BEGIN/COMMIT). For works whose statements need not commit together, such
   * as one self-contained statement. On SQLite it is the same synchronous transaction as `transaction`.
   */
  async run<T>(work: () => SqlWork<T>): Promise<T> {
    if (this.dialect === 'sqlite') return this.runSqlite(work);
    const steps = work();
    let step = steps.next();
    while (!step.done) step = steps.next(await this.execute(step.value));
    return step.value;
  }

  /** A single statement in its own implicit transaction (a read, or one self-contained write). */
  async execute(query: Statement): Promise<StatementResult> {
    if (this.dialect === 'sqlite') return this.execSqlite(this.sqliteConnection(), query);
    const result = await this.postgresPool().query({ text: toPostgres(query.text), values: query.params });
    return { rows: result.rows as Row[], changes: result.rowCount ?? 0 };
  }

  private sqliteConnection(): BetterSqlite3.Database {
    return (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  }

  private postgresPool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  private runSqlite<T>(work: () => SqlWork<T>): T {
    const db = this.sqliteConnection();
    const drive = db.transaction(() => {
      const steps = work();
      let step = steps.next();
      while (!step.done) step = steps.next(this.execSqlite(db, step.value));
      return step.value;
    });
    // IMMEDIATE takes the write lock up front: a reader turning writer mid-way could fail with SQLITE_BUSY.
    return drive.immediate();
  }

  private execSqlite(db: BetterSqlite3.Database, query: Statement): StatementResult {
    let prepared = this.statements.get(query.text);
    if (!prepared) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      prepared = db.prepare(query.text);
      this.statements.set(query.text, prepared);
    }
    if (prepared.reader) {
      const rows = prepared.all(...query.params) as Row[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: prepared.run(...query.params).changes };
  }

  /** Postgres may abort one of two transactions that wait on each other; running it again is the remedy. */
  private async runPostgres<T>(work: () => SqlWork<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runPostgresOnce(work);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
  }

  private async runPostgresOnce<T>(work: () => SqlWork<T>): Promise<T> {
    const client = await this.postgresPool().connect();
    try {
      await client.query('BEGIN');
      const steps = work();
      let step = steps.next();
      while (!step.done) {
        const result = await client.query({ text: toPostgres(step.value.text), values: step.value.params });
        step = steps.next({ rows: result.rows as Row[], changes: result.rowCount ?? 0 });
      }
      await client.query('COMMIT');
      return step.value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
