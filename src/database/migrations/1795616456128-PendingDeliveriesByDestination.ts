import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The fair scheduler reads pending deliveries per destination: which destinations have any (skipping through
 * the index one destination at a time) and the oldest due ones of each. This partial index serves both and
 * replaces the one by due time alone, which nothing reads any more.
 */
export class PendingDeliveriesByDestination1795616456128 implements MigrationInterface {
  name = 'PendingDeliveriesByDestination1795616456128';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_pending_due');
    await queryRunner.createIndex(
      'deliveries',
      new TableIndex({ name: 'IDX_deliveries_pending_destination', columnNames: ['destination_id', 'next_attempt_at'], where: "status = 'pending'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_pending_destination');
    await queryRunner.createIndex(
      'deliveries',
      new TableIndex({ name: 'IDX_deliveries_pending_due', columnNames: ['next_attempt_at'], where: "status = 'pending'" }),
    );
  }
}
