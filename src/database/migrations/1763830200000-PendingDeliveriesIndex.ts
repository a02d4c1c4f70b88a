import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The claim query reads only pending deliveries by due time. A partial index holds just those rows, so it
 * stays small however many succeeded deliveries pile up (both SQLite and Postgres support it).
 */
export class PendingDeliveriesIndex1763830200000 implements MigrationInterface {
  name = 'PendingDeliveriesIndex1763830200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_due');
    await queryRunner.createIndex(
      'deliveries',
      new TableIndex({ name: 'IDX_deliveries_pending_due', columnNames: ['next_attempt_at'], where: "status = 'pending'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_pending_due');
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_due', columnNames: ['status', 'next_attempt_at'] }));
  }
}
