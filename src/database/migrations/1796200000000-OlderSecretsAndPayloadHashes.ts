import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Room for a second previous signing secret with its own expiry: S0 → S1 → S2 within one overlap signs
 * with S2, S1 and S0 until each overlap ends (a double click in the console must not drop S0 at once).
 *
 * The SHA-256 of the payload of a message that came with an Idempotency-Key, so a repeat of the key can be
 * told apart from a different payload under the same key (409). Messages stored before have none: their
 * payload itself is compared (see ingest-batch.sql.ts) until their 24 h are over.
 */
export class OlderSecretsAndPayloadHashes1796200000000 implements MigrationInterface {
  name = 'OlderSecretsAndPayloadHashes1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('destinations', [
      new TableColumn({ name: 'older_signing_secret', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'older_secret_expires_at', type: 'bigint', isNullable: true }),
    ]);
    await queryRunner.addColumn('messages', new TableColumn({ name: 'payload_hash', type: 'varchar', length: '64', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('messages', 'payload_hash');
    await queryRunner.dropColumns('destinations', ['older_secret_expires_at', 'older_signing_secret']);
  }
}
