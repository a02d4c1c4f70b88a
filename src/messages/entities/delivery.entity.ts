import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import type { Destination } from '../../destinations/entities/destination.entity.js';
import { epochMillis } from '../../database/columns.js';
import type { DeliveryAttempt } from './delivery-attempt.entity.js';
import type { Message } from './message.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

@Entity('deliveries')
@Index('IDX_deliveries_message', ['messageId', 'id'])
@Index('IDX_deliveries_destination_id', ['destinationId'])
@Index('IDX_deliveries_pending_destination', ['destinationId', 'nextAttemptAt'], { where: "status = 'pending'" })
@Index('IDX_deliveries_failed_destination', ['destinationId', 'id'], { where: "status = 'failed'" })
@Index('IDX_deliveries_status', ['status', 'id'])
export class Delivery {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @ManyToOne('Message', (message: Message) => message.deliveries, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'FK_deliveries_message' })
  message?: Relation<Message>;

  @Column({ name: 'destination_id', type: 'uuid' })
  destinationId: string;

  @ManyToOne('Destination', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'destination_id', foreignKeyConstraintName: 'FK_deliveries_destination' })
  destination?: Relation<Destination>;

  @Column({ type: 'varchar', length: 10 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /**
   * Attempts made before the current retry schedule began: RETRY_SCHEDULE is followed from its start again
   * after a recover, while `attempts` (and the history's numbering) go on counting.
   */
  @Column({ name: 'schedule_start', type: 'integer', default: 0 })
  scheduleStart: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: epochMillis })
  nextAttemptAt: number | null;

  /** While set and in the future, one worker owns the delivery's current attempt. */
  @Column({ name: 'leased_until', type: 'bigint', nullable: true, transformer: epochMillis })
  leasedUntil: number | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;

  @OneToMany('DeliveryAttempt', (attempt: DeliveryAttempt) => attempt.delivery)
  history?: Relation<DeliveryAttempt[]>;
}
