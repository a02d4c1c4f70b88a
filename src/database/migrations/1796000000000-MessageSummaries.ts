import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * What a message's list row and its retention need, kept on the message instead of counted from its
 * deliveries on every read: how many of its deliveries are pending, succeeded and failed, and the status
 * they add up to. The message list then reads one page of messages (filtered by status through an index),
 * and the retention purge finds finished messages by age without looking at their deliveries.
 *
 * A message to more destinations than one transaction should write is stored in several:
 * `deliveries_to_create` says how many of its deliveries are still to be written, and finds the messages
 * whose ingest stopped half-way (a crash) so that they can be removed.
 *
 * Deliveries of one message are listed in id order through (message_id, id), which replaces the index on
 * message_id alone.
 *
 * The backfill counts every message's deliveries once: on a large database this migration takes a while,
 * once.
 */
export class MessageSummaries1796000000000 implements MigrationInterface {
  name = 'MessageSummaries1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('messages', [
      new TableColumn({ name: 'status', type: 'varchar', length: '10', default: "'succeeded'" }),
      new TableColumn({ name: 'deliveries_pending', type: 'integer', default: 0 }),
      new TableColumn({ name: 'deliveries_succeeded', type: 'integer', default: 0 }),
      new TableColumn({ name: 'deliveries_failed', type: 'integer', default: 0 }),
      new TableColumn({ name: 'deliveries_to_create', type: 'integer', default: 0 }),
    ]);
    const count = (status: string) => `(SELECT COUNT(*) FROM deliveries d WHERE d.message_id = messages.id AND d.status = '${status}')`;
    await queryRunner.query(
      `UPDATE messages SET deliveries_pending = ${count('pending')}, deliveries_succeeded = ${count('succeeded')}, deliveries_failed = ${count('failed')}`,
    );
    await queryRunner.query(
      `UPDATE messages SET status = CASE WHEN deliveries_pending > 0 THEN 'pending' WHEN deliveries_failed > 0 THEN 'failed' ELSE 'succeeded' END`,
    );
    await queryRunner.createIndices('messages', [
      new TableIndex({ name: 'IDX_messages_account_status', columnNames: ['account_id', 'status', 'id'] }),
      new TableIndex({
        name: 'IDX_messages_account_event_type_status',
        columnNames: ['account_id', 'event_type', 'status', 'id'],
        where: 'event_type IS NOT NULL',
      }),
      new TableIndex({ name: 'IDX_messages_finished', columnNames: ['received_at'], where: "status <> 'pending'" }),
      new TableIndex({ name: 'IDX_messages_storing', columnNames: ['received_at'], where: 'deliveries_to_create > 0' }),
    ]);
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_message_id');
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_message', columnNames: ['message_id', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_message');
    await queryRunner.createIndex('deliveries', new TableIndex({ name: 'IDX_deliveries_message_id', columnNames: ['message_id'] }));
    await queryRunner.dropIndex('messages', 'IDX_messages_storing');
    await queryRunner.dropIndex('messages', 'IDX_messages_finished');
    await queryRunner.dropIndex('messages', 'IDX_messages_account_event_type_status');
    await queryRunner.dropIndex('messages', 'IDX_messages_account_status');
    await queryRunner.dropColumns('messages', ['deliveries_to_create', 'deliveries_failed', 'deliveries_succeeded', 'deliveries_pending', 'status']);
  }
}
