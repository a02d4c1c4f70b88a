import type { DataSource } from 'typeorm';

/** Any constant: the key of the Postgres advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 0x0da7a9;

/**
 * Runs pending migrations at start-up. Several processes (an api and its workers) may start at once against
 * one Postgres: an advisory lock lets one migrate while the others wait, then find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}
