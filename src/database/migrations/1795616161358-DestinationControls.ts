import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { booleanDefault } from './column-types.js';

/**
 * Per-destination controls (enabled, rate limit, in-flight cap) and the state auto-disable keeps. Every new
 * column has a default or is nullable, so rows and code from before this migration go on working.
 */
export class DestinationControls1795616161358 implements MigrationInterface {
  name = 'DestinationControls1795616161358';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('destinations', [
      new TableColumn({ name: 'enabled', type: 'boolean', default: booleanDefault(queryRunner, true) }),
      new TableColumn({ name: 'disabled_reason', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'disabled_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'rate_limit', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'max_in_flight', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'failing_since', type: 'bigint', isNullable: true }),
    ]);
    // Auto-disable looks for destinations failing for long: only those few rows are in this index.
    await queryRunner.createIndex(
      'destinations',
      new TableIndex({ name: 'IDX_destinations_failing_since', columnNames: ['failing_since'], where: 'failing_since IS NOT NULL' }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('destinations', 'IDX_destinations_failing_since');
    await queryRunner.dropColumns('destinations', ['failing_since', 'max_in_flight', 'rate_limit', 'disabled_at', 'disabled_reason', 'enabled']);
  }
}
