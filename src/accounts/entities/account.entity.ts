import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../../database/columns.js';

@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Stored lower-cased, so the unique index makes addresses unique regardless of case. */
  @Index('UQ_accounts_email', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ name: 'account_name', type: 'varchar', length: 200 })
  accountName: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  website: string | null;

  /** SHA-256 (hex) of the app secret token; the token itself is never stored. */
  @Index('UQ_accounts_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** Ingest requests per second; null: INGEST_RATE_LIMIT (unset: unlimited). */
  @Column({ name: 'ingest_rate_limit', type: 'integer', nullable: true })
  ingestRateLimit: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
