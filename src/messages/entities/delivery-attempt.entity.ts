import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { epochMillis } from '../../database/columns.js';
import type { Delivery } from './delivery.entity.js';

@Entity('delivery_attempts')
@Index('IDX_delivery_attempts_delivery_id', ['deliveryId', 'attempt'])
export class DeliveryAttempt {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  @ManyToOne('Delivery', (delivery: Delivery) => delivery.history, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'FK_delivery_attempts_delivery' })
  delivery?: Relation<Delivery>;

  @Column({ type: 'integer' })
  attempt: number;

  @Column({ type: 'bigint', transformer: epochMillis })
  at: number;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The first KiB of the destination's answer, for debugging a failing endpoint. */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;
}
