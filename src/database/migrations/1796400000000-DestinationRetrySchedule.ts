import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** A destination's own retry schedule (RETRY_SCHEDULE's syntax); null: the server's RETRY_SCHEDULE. */
export class DestinationRetrySchedule1796400000000 implements MigrationInterface {
  name = 'DestinationRetrySchedule1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('destinations', new TableColumn({ name: 'retry_schedule', type: 'varchar', length: '1000', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('destinations', 'retry_schedule');
  }
}
