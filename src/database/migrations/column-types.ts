import type { QueryRunner } from 'typeorm';

/** Postgres has a native uuid type; SQLite keeps the text form (which sorts the same for UUIDv7). */
export function idColumnType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.options.type === 'postgres' ? 'uuid' : 'varchar';
}
