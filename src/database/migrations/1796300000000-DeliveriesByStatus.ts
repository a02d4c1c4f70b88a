import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The operators' list of deliveries across accounts (GET /deliveries?status=) reads one status newest first:
 * through this index it reads one page, however long the history.
 */
export class DeliveriesByStatus1796300000000 implements MigrationInterface {
  name = 'DeliveriesByStatus1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_status', columnNames: ['status', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_status');
  }
}
