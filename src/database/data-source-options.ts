import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/environment.js';
import { AccountsAndDestinations1763830000000 } from './migrations/1763830000000-AccountsAndDestinations.js';
import { MessagesAndDeliveries1763830100000 } from './migrations/1763830100000-MessagesAndDeliveries.js';
import { PendingDeliveriesIndex1763830200000 } from './migrations/1763830200000-PendingDeliveriesIndex.js';
import { DestinationControls1795616161358 } from './migrations/1795616161358-DestinationControls.js';
import { PendingDeliveriesByDestination1795616456128 } from './migrations/1795616456128-PendingDeliveriesByDestination.js';
import { PlatformFeatures1795700000000 } from './migrations/1795700000000-PlatformFeatures.js';
import { MessageSummaries1796000000000 } from './migrations/1796000000000-MessageSummaries.js';
import { StorageProbe1796100000000 } from './migrations/1796100000000-StorageProbe.js';
import { OlderSecretsAndPayloadHashes1796200000000 } from './migrations/1796200000000-OlderSecretsAndPayloadHashes.js';
import { DeliveriesByStatus1796300000000 } from './migrations/1796300000000-DeliveriesByStatus.js';
import { DestinationRetrySchedule1796400000000 } from './migrations/1796400000000-DestinationRetrySchedule.js';

export const MIGRATIONS = [
  AccountsAndDestinations1763830000000,
  MessagesAndDeliveries1763830100000,
  PendingDeliveriesIndex1763830200000,
  DestinationControls1795616161358,
  PendingDeliveriesByDestination1795616456128,
  PlatformFeatures1795700000000,
  MessageSummaries1796000000000,
  StorageProbe1796100000000,
  OlderSecretsAndPayloadHashes1796200000000,
  DeliveriesByStatus1796300000000,
  DestinationRetrySchedule1796400000000,
];

/**
 * The options of the one data source, for both Nest and the TypeORM CLI, given the entities (listed at the
 * composition root, src/data-source-options.ts, so that this folder depends on no feature). Migrations, never
 * synchronize: the schema changes only through reviewed files that run the same on SQLite and Postgres.
 */
export function dataSourceOptionsFor(database: DatabaseConfig, entities: DataSourceOptions['entities']): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  if (database.kind === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      enableWAL: true,
      // The hot paths' multi-row statements come in many sizes (one text per size).
      statementCacheSize: 500,
      // WAL with synchronous=NORMAL survives a crash or kill -9 of the process (only an OS crash or power
      // loss can drop the last commits); a busy timeout lets the CLI, the app and workers share the file.
      prepareDatabase: (db: { pragma: (source: string) => unknown }) => {
        db.pragma('busy_timeout = 5000');
        db.pragma('synchronous = NORMAL');
        // The write-ahead log stays under the contract's 64 MB: a checkpoint once it holds 4,000 pages (16 MiB
        // at SQLite's 4 KiB pages; fewer, larger checkpoints keep their fsync off most commits), plus at most
        // one transaction (ingest keeps those under 16 MiB of payload), and a reset log is cut back to 64 MiB
        // whatever it grew to. SqliteWalCheckpoint truncates it when writing pauses. A bigger page cache keeps
        // the hot indexes in memory.
        db.pragma('wal_autocheckpoint = 4000');
        db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
        db.pragma('cache_size = -65536');
      },
    };
  }
  // BIGINT columns hold epoch milliseconds, well inside Number's exact range: read them as numbers.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  return {
    ...common,
    type: 'postgres',
    url: database.url,
    // A host that drops packets must not hang start-up (or a claim) forever.
    connectTimeoutMS: 10_000,
    extra: { max: database.poolSize },
  };
}
