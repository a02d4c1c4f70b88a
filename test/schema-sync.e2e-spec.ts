import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../src/config/environment.js';
import { buildDataSourceOptions } from '../src/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { createTestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';

/** What `npm run migration:generate` would write for a database the migrations just built. */
async function pendingSchemaChanges(database: DatabaseConfig): Promise<string[]> {
  const dataSource = await new DataSource(buildDataSourceOptions(database)).initialize();
  try {
    await runMigrations(dataSource);
    const changes = await dataSource.driver.createSchemaBuilder().log();
    return changes.upQueries.map((query) => query.query);
  } finally {
    await dataSource.destroy();
  }
}

describe('entities and migrations agree (migration:generate finds nothing to do)', () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-pusher-schema-'));
    try {
      expect(await pendingSchemaChanges({ kind: 'sqlite', path: join(dir, 'db.sqlite') })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('entities and migrations agree on PostgreSQL', () => {
  it('on PostgreSQL', async () => {
    const schema = await createTestSchema('sync');
    try {
      expect(await pendingSchemaChanges({ kind: 'postgres', url: schema.url, poolSize: 2 })).toEqual([]);
    } finally {
      await schema.drop();
    }
  });
});
