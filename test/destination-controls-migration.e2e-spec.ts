import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../src/config/environment.js';
import { buildDataSourceOptions } from '../src/data-source-options.js';
import { MIGRATIONS } from '../src/database/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { Destination } from '../src/destinations/entities/destination.entity.js';
import { createTestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';

const CONTROLS_MIGRATION = MIGRATIONS.findIndex((migration) => migration.name.startsWith('DestinationControls'));

/** Rows written by the schema before the controls existed: an account, a destination, a message and its delivery. */
async function seedBeforeControls(dataSource: DataSource): Promise<{ destinationId: string }> {
  const postgres = dataSource.options.type === 'postgres';
  const insert = (table: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const placeholders = columns.map((_, i) => (postgres ? `$${i + 1}` : '?'));
    return dataSource.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')})`, Object.values(row));
  };
  const now = Date.now();
  const accountId = randomUUID();
  const destinationId = randomUUID();
  const messageId = randomUUID();
  await insert('accounts', { id: accountId, email: `${accountId}@example.com`, account_name: 'Old', token_hash: accountId, created_at: now, updated_at: now });
  await insert('destinations', {
    id: destinationId,
    account_id: accountId,
    url: 'https://old.example.com',
    http_method: 'POST',
    headers: '{}',
    signing_secret: 'whsec_old',
    created_at: now,
    updated_at: now,
  });
  await insert('messages', { id: messageId, account_id: accountId, payload: '{}', received_at: now });
  await insert('deliveries', {
    id: randomUUID(),
    message_id: messageId,
    destination_id: destinationId,
    status: 'pending',
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
  });
  return { destinationId };
}

/** Migrates a database that already holds data up to the controls, and reads back what became of it. */
async function upgradeWithData(database: DatabaseConfig) {
  const before = await new DataSource({ ...buildDataSourceOptions(database), migrations: MIGRATIONS.slice(0, CONTROLS_MIGRATION) }).initialize();
  let destinationId: string;
  try {
    await runMigrations(before);
    ({ destinationId } = await seedBeforeControls(before));
  } finally {
    await before.destroy();
  }
  const after = await new DataSource(buildDataSourceOptions(database)).initialize();
  try {
    await runMigrations(after);
    const destination = await after.getRepository(Destination).findOneByOrFail({ id: destinationId });
    const [{ n }] = await after.query('SELECT COUNT(*) AS n FROM deliveries WHERE destination_id = ' + (database.kind === 'postgres' ? '$1' : '?'), [destinationId]);
    return { destination, deliveries: Number(n) };
  } finally {
    await after.destroy();
  }
}

const EXPECTED = {
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  rateLimit: null,
  maxInFlight: null,
  failingSince: null,
  url: 'https://old.example.com',
};

describe('the destination-controls migration on a database with data', () => {
  it('on SQLite: existing destinations become enabled with no limits, and keep their deliveries', async () => {
    expect(CONTROLS_MIGRATION).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'data-pusher-upgrade-'));
    try {
      const { destination, deliveries } = await upgradeWithData({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
      expect(destination).toMatchObject(EXPECTED);
      expect(deliveries).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const describeWithPostgres = await requirePostgres();

describeWithPostgres('the destination-controls migration on PostgreSQL with data', () => {
  it('existing destinations become enabled with no limits, and keep their deliveries', async () => {
    const schema = await createTestSchema('upgrade');
    try {
      const { destination, deliveries } = await upgradeWithData({ kind: 'postgres', url: schema.url, poolSize: 2 });
      expect(destination).toMatchObject(EXPECTED);
      expect(deliveries).toBe(1);
    } finally {
      await schema.drop();
    }
  });
});
