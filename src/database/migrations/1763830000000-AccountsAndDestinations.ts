import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumnType } from './column-types.js';

export class AccountsAndDestinations1763830000000 implements MigrationInterface {
  name = 'AccountsAndDestinations1763830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const uuid = idColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'email', type: 'varchar', length: '320' },
          { name: 'account_name', type: 'varchar', length: '200' },
          { name: 'website', type: 'varchar', length: '2048', isNullable: true },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.createIndex('accounts', new TableIndex({ name: 'UQ_accounts_email', columnNames: ['email'], isUnique: true }));
    await queryRunner.createIndex(
      'accounts',
      new TableIndex({ name: 'UQ_accounts_token_hash', columnNames: ['token_hash'], isUnique: true }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'destinations',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'account_id', type: uuid },
          { name: 'url', type: 'text' },
          { name: 'http_method', type: 'varchar', length: '10' },
          { name: 'headers', type: 'text' },
          { name: 'signing_secret', type: 'varchar', length: '100' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_destinations_account',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'destinations',
      new TableIndex({ name: 'IDX_destinations_account_id', columnNames: ['account_id', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('destinations');
    await queryRunner.dropTable('accounts');
  }
}
