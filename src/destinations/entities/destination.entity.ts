import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Account } from '../../accounts/entities/account.entity.js';
import { epochMillis } from '../../database/columns.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

@Entity('destinations')
@Index('IDX_destinations_account_id', ['accountId', 'id'])
@Index('IDX_destinations_failing_since', ['failingSince'], { where: 'failing_since IS NOT NULL' })
export class Destination {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_destinations_account' })
  account?: Relation<Account>;

  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'http_method', type: 'varchar', length: 10 })
  httpMethod: HttpMethod;

  @Column({ type: 'simple-json' })
  headers: Record<string, string>;

  @Column({ name: 'signing_secret', type: 'varchar', length: 100 })
  signingSecret: string;

  /** The secret before the last rotation: deliveries are signed with it too until previousSecretExpiresAt. */
  @Column({ name: 'previous_signing_secret', type: 'varchar', length: 100, nullable: true })
  previousSigningSecret: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'bigint', nullable: true, transformer: epochMillis })
  previousSecretExpiresAt: number | null;

  /**
   * The secret before that, when a rotation came while its overlap still ran: it signs too until its own
   * olderSecretExpiresAt (see rotatedSecrets).
   */
  @Column({ name: 'older_signing_secret', type: 'varchar', length: 100, nullable: true })
  olderSigningSecret: string | null;

  @Column({ name: 'older_secret_expires_at', type: 'bigint', nullable: true, transformer: epochMillis })
  olderSecretExpiresAt: number | null;

  /** Event-type patterns (exact, `prefix.*`, `*`) of the messages it gets; null: every message. */
  @Column({ name: 'event_types', type: 'simple-json', nullable: true })
  eventTypes: string[] | null;

  /** False: new messages get no delivery for it, and its pending deliveries wait. */
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Why it is disabled: "manual", or the failure that auto-disabled it. Null while enabled. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'disabled_at', type: 'bigint', nullable: true, transformer: epochMillis })
  disabledAt: number | null;

  /** Attempts per second across all workers; null: unlimited. */
  @Column({ name: 'rate_limit', type: 'integer', nullable: true })
  rateLimit: number | null;

  /** Attempts in flight at once per worker process; null: DESTINATION_MAX_IN_FLIGHT. */
  @Column({ name: 'max_in_flight', type: 'integer', nullable: true })
  maxInFlight: number | null;

  /**
   * Its own delays before each retry, in RETRY_SCHEDULE's syntax ("" = no retry); null: the server's RETRY_SCHEDULE.
   * Read when each attempt is claimed, so a change applies from the next attempt on.
   */
  @Column({ name: 'retry_schedule', type: 'varchar', length: 1000, nullable: true })
  retrySchedule: string | null;

  /**
   * Internal, never in the API: since when no attempt has succeeded while some have failed (epoch ms), for
   * auto-disable. Null while the destination is healthy.
   */
  @Column({ name: 'failing_since', type: 'bigint', nullable: true, transformer: epochMillis })
  failingSince: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
