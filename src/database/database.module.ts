import { Global, Module } from '@nestjs/common';
import { SqlRunner } from './sql.js';
import { SqliteWalCheckpoint } from './sqlite-wal-checkpoint.js';
import { StorageStatus } from './storage-status.js';

/** The hand-written SQL of the hot paths (ingest, claim, record) runs through the one SqlRunner. */
@Global()
@Module({ providers: [SqlRunner, StorageStatus, SqliteWalCheckpoint], exports: [SqlRunner, StorageStatus] })
export class DatabaseModule {}
