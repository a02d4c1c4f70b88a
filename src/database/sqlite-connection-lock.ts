import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';

/** How long a work may keep the event loop before it lets other callbacks (HTTP, /health) have a turn. */
const TURN_MS = 50;

/**
 * Gives a unit of work the SQLite connection to itself, for as long as its transaction lasts.
 *
 * TypeORM's better-sqlite3 driver has one QueryRunner on one connection for all callers, runs every query
 * asynchronously and nests a transaction begun during another as a savepoint of it: two interleaved works
 * would commit or roll back each other's statements. Works therefore take turns (first come, first
 * served), and every other query (repositories, /health) waits while a work holds the connection: it is
 * held back in TypeORM's `beforeQuery` hook, which TypeORM awaits before running the statement.
 *
 * A holder may give the event loop a turn mid-transaction (`yieldIfLong`): whatever runs meanwhile finds
 * the connection held and waits, so nothing can run inside the holder's transaction. A work starts on an
 * event-loop turn of its own, after every query let through before it has run (a query's steps before
 * its statement are all microtasks: better-sqlite3 is synchronous).
 */
export class SqliteConnectionLock {
  private static readonly locks = new WeakMap<DataSource, SqliteConnectionLock>();

  /** The lock of a data source: one per connection, shared by everyone using it. */
  static for(dataSource: DataSource): SqliteConnectionLock {
    let lock = SqliteConnectionLock.locks.get(dataSource);
    if (!lock) {
      lock = new SqliteConnectionLock();
      dataSource.subscribers.push(lock.subscriber());
      SqliteConnectionLock.locks.set(dataSource, lock);
    }
    return lock;
  }

  private readonly holders = new AsyncLocalStorage<symbol>();
  private queue: Promise<void> = Promise.resolve();
  private holder: symbol | null = null;
  private released: Promise<void> = Promise.resolve();

  async hold<T>(work: (yieldIfLong: () => Promise<void>) => Promise<T>): Promise<T> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise((resolve) => (done = resolve));
    await previous;
    await nextTurn();
    const holder = Symbol('sqlite-connection-holder');
    let release!: () => void;
    this.holder = holder;
    this.released = new Promise((resolve) => (release = resolve));
    let turnStarted = performance.now();
    const yieldIfLong = async () => {
      if (performance.now() - turnStarted < TURN_MS) return;
      await nextTurn();
      turnStarted = performance.now();
    };
    try {
      return await this.holders.run(holder, () => work(yieldIfLong));
    } finally {
      this.holder = null;
      release();
      done();
    }
  }

  private async waitForHolder(): Promise<void> {
    while (this.holder !== null && this.holders.getStore() !== this.holder) await this.released;
  }

  private subscriber(): EntitySubscriberInterface {
    return { beforeQuery: () => (this.holder === null ? undefined : this.waitForHolder()) };
  }
}
