import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Account } from '../../accounts/entities/account.entity.js';
import { epochMillis } from '../../database/columns.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

@Entity('destinations')
@Index('IDX_destinations_account_id', ['accountId', 'id'])
export class Destination {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne('Account', (account: Account) => account.destinations, { onDelete: 'CASCADE' })
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

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
