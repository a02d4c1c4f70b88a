import { Column, Entity, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import { epochMillis } from '../../database/columns.js';
import type { Delivery } from './delivery.entity.js';

@Entity('messages')
export class Message {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  /** The JSON text exactly as it is delivered and signed. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMillis })
  receivedAt: number;

  @OneToMany('Delivery', (delivery: Delivery) => delivery.message)
  deliveries?: Relation<Delivery[]>;
}
