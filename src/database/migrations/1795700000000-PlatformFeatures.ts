import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Signing-secret rotation (the previous secret and when it stops signing), event types (of a message, and
 * the patterns a destination takes), recovery with a fresh retry schedule (schedule_start), and the
 * per-account ingest rate limit. Every new column is nullable or has a default: rows and code from before
 * go on working.
 */
export class PlatformFeatures1795700000000 implements MigrationInterface {
  name = 'PlatformFeatures1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('destinations', [
      new TableColumn({ name: 'previous_signing_secret', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'previous_secret_expires_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'event_types', type: 'text', isNullable: true }),
    ]);
    await queryRunner.addColumn('messages', new TableColumn({ name: 'event_type', type: 'varchar', length: '128', isNullable: true }));
    // The delivery log filtered by event type, newest first, within one account.
    await queryRunner.createIndex(
      'messages',
      new TableIndex({ name: 'IDX_messages_account_event_type', columnNames: ['account_id', 'event_type', 'id'], where: 'event_type IS NOT NULL' }),
    );
    await queryRunner.addColumn('deliveries', new TableColumn({ name: 'schedule_start', type: 'integer', default: 0 }));
    // Recover walks one destination's failed deliveries in id order: only failed rows are in this index.
    await queryRunner.createIndex(
      'deliveries',
      new TableIndex({ name: 'IDX_deliveries_failed_destination', columnNames: ['destination_id', 'id'], where: "status = 'failed'" }),
    );
    await queryRunner.addColumn('accounts', new TableColumn({ name: 'ingest_rate_limit', type: 'integer', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('accounts', 'ingest_rate_limit');
    await queryRunner.dropIndex('deliveries', 'IDX_deliveries_failed_destination');
    await queryRunner.dropColumn('deliveries', 'schedule_start');
    await queryRunner.dropIndex('messages', 'IDX_messages_account_event_type');
    await queryRunner.dropColumn('messages', 'event_type');
    await queryRunner.dropColumns('destinations', ['event_types', 'previous_secret_expires_at', 'previous_signing_secret']);
  }
}
