import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumnType } from './column-types.js';

export class MessagesAndDeliveries1763830100000 implements MigrationInterface {
  name = 'MessagesAndDeliveries1763830100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const uuid = idColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'account_id', type: uuid },
          { name: 'payload', type: 'text' },
          { name: 'idempotency_key', type: 'varchar', length: '255', isNullable: true },
          { name: 'received_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_messages_account',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex('messages', new TableIndex({ name: 'IDX_messages_account_id', columnNames: ['account_id', 'id'] }));
    // The idempotency guarantee lives in the database: two concurrent ingests with one key cannot both insert.
    await queryRunner.createIndex(
      'messages',
      new TableIndex({ name: 'UQ_messages_idempotency_key', columnNames: ['account_id', 'idempotency_key'], isUnique: true }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'deliveries',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'message_id', type: uuid },
          { name: 'destination_id', type: uuid },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: 'bigint', isNullable: true },
          { name: 'leased_until', type: 'bigint', isNullable: true },
          { name: 'last_status_code', type: 'integer', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_deliveries_message',
            columnNames: ['message_id'],
            referencedTableName: 'messages',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'FK_deliveries_destination',
            columnNames: ['destination_id'],
            referencedTableName: 'destinations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_message_id', columnNames: ['message_id'] }));
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_destination_id', columnNames: ['destination_id'] }));
    // The worker's claim: pending deliveries that are due, oldest due first.
    await queryRunner.createIndex(
      'deliveries',
      new TableIndex({ name: 'IDX_deliveries_due', columnNames: ['status', 'next_attempt_at'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'delivery_attempts',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'delivery_id', type: uuid },
          { name: 'attempt', type: 'integer' },
          { name: 'at', type: 'bigint' },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'duration_ms', type: 'integer' },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'response_body', type: 'text', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_delivery_attempts_delivery',
            columnNames: ['delivery_id'],
            referencedTableName: 'deliveries',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'delivery_attempts',
      new TableIndex({ name: 'IDX_delivery_attempts_delivery_id', columnNames: ['delivery_id', 'attempt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('delivery_attempts');
    await queryRunner.dropTable('deliveries');
    await queryRunner.dropTable('messages');
  }
}
