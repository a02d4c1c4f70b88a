import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import type { Account } from '../../accounts/entities/account.entity.js';
import { epochMillis } from '../../database/columns.js';
import type { Delivery, DeliveryStatus } from './delivery.entity.js';

@Entity('messages')
@Index('IDX_messages_account_id', ['accountId', 'id'])
@Index('UQ_messages_idempotency_key', ['accountId', 'idempotencyKey'], { unique: true })
@Index('IDX_messages_account_event_type', ['accountId', 'eventType', 'id'], { where: 'event_type IS NOT NULL' })
@Index('IDX_messages_account_status', ['accountId', 'status', 'id'])
@Index('IDX_messages_account_event_type_status', ['accountId', 'eventType', 'status', 'id'], { where: 'event_type IS NOT NULL' })
@Index('IDX_messages_finished', ['receivedAt'], { where: "status <> 'pending'" })
@Index('IDX_messages_storing', ['receivedAt'], { where: 'deliveries_to_create > 0' })
export class Message {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_messages_account' })
  account?: Relation<Account>;

  /** The JSON text exactly as it is delivered and signed. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  /** SHA-256 (hex) of the payload of a message sent with an Idempotency-Key: a repeat must bring the same. */
  @Column({ name: 'payload_hash', type: 'varchar', length: 64, nullable: true })
  payloadHash: string | null;

  /** CL-X-EVENT-TYPE of the ingest, if any: decides which destinations get it. */
  @Column({ name: 'event_type', type: 'varchar', length: 128, nullable: true })
  eventType: string | null;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMillis })
  receivedAt: number;

  /**
   * What its deliveries add up to: pending while any is pending, else failed if any failed, else succeeded
   * (also with no delivery at all). Kept up to date with the counts below by every change of a delivery's
   * status, so lists filter and retention purges without reading deliveries.
   */
  @Column({ type: 'varchar', length: 10, default: 'succeeded' })
  status: DeliveryStatus;

  @Column({ name: 'deliveries_pending', type: 'integer', default: 0 })
  deliveriesPending: number;

  @Column({ name: 'deliveries_succeeded', type: 'integer', default: 0 })
  deliveriesSucceeded: number;

  @Column({ name: 'deliveries_failed', type: 'integer', default: 0 })
  deliveriesFailed: number;

  /**
   * Deliveries of this message still to be written: above zero only while the ingest of a message to very
   * many destinations writes them in several transactions (or if it stopped half-way).
   */
  @Column({ name: 'deliveries_to_create', type: 'integer', default: 0 })
  deliveriesToCreate: number;

  @OneToMany('Delivery', (delivery: Delivery) => delivery.message)
  deliveries?: Relation<Delivery[]>;
}
