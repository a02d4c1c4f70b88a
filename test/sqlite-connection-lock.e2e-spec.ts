import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { sql, SqlRunner } from '../src/database/sql.js';
import { SqliteConnectionLock } from '../src/database/sqlite-connection-lock.js';

describe("SQLite's one connection, shared by TypeORM and the hot paths' SqlRunner", () => {
  let dataDir: string;
  let dataSource: DataSource;
  let runner: SqlRunner;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-lock-'));
    dataSource = await new DataSource(buildDataSourceOptions({ kind: 'sqlite', path: join(dataDir, 'db.sqlite') })).initialize();
    await runMigrations(dataSource);
    runner = new SqlRunner(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds back every other query, across event-loop turns, until the holding work is done', async () => {
    const events: string[] = [];
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const workStarted = new Promise<void>((resolve) => (started = resolve));
    const work = SqliteConnectionLock.for(dataSource).hold(async () => {
      await dataSource.query('SELECT 1');
      events.push('work queried');
      started();
      await mayFinish;
      events.push('work done');
    });
    await workStarted;
    const other = dataSource.query('SELECT 2').then(() => events.push('other query'));
    for (let turn = 0; turn < 10; turn++) await nextTurn();
    events.push('10 turns later');
    finish();
    await Promise.all([work, other]);
    expect(events).toEqual(['work queried', '10 turns later', 'work done', 'other query']);
  });

  it('runs transactions started together one after the other, each seeing only committed rows', async () => {
    const now = Date.now();
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        runner.transaction(function* () {
          const before = (yield sql`SELECT COUNT(*) AS n FROM accounts WHERE account_name = 'turns'`).rows[0].n;
          yield sql`INSERT INTO accounts (id, email, account_name, token_hash, created_at, updated_at)
                    VALUES (${`00000000-0000-7000-8000-00000000000${name.charCodeAt(0) - 97}`}, ${`${name}@turns.example`}, 'turns', ${name.repeat(64)}, ${now}, ${now})`;
          const after = (yield sql`SELECT COUNT(*) AS n FROM accounts WHERE account_name = 'turns'`).rows[0].n;
          return [Number(before), Number(after)];
        }),
      ),
    );
    expect(seen).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('rolls a failed transaction back whole', async () => {
    const now = Date.now();
    await expect(
      runner.transaction(function* () {
        yield sql`INSERT INTO accounts (id, email, account_name, token_hash, created_at, updated_at)
                  VALUES ('00000000-0000-7000-8000-0000000000ff', 'rollback@turns.example', 'rollback', ${'f'.repeat(64)}, ${now}, ${now})`;
        yield sql`INSERT INTO no_such_table VALUES (1)`;
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await dataSource.query("SELECT COUNT(*) AS n FROM accounts WHERE account_name = 'rollback'")).toEqual([{ n: 0 }]);
  });
});
