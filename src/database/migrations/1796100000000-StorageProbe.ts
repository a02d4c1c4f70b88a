import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * One row that /health rewrites while the database has been failing to write (disk full): a real, tiny
 * write, so that health comes back by itself once there is space, even when no client writes.
 */
export class StorageProbe1796100000000 implements MigrationInterface {
  name = 'StorageProbe1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'storage_probe',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'written_at', type: 'bigint', default: 0 },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO storage_probe (id, written_at) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('storage_probe');
  }
}
