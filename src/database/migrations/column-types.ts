import type { QueryRunner } from 'typeorm';

/** Postgres has a native uuid type; SQLite keeps the text form (which sorts the same for UUIDv7). */
export function idColumnType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.options.type === 'postgres' ? 'uuid' : 'varchar';
}

/**
 * A boolean column's default as each database spells it, so that migration:generate sees no difference:
 * Postgres has `true`/`false`, SQLite stores booleans as 1/0.
 */
export function booleanDefault(queryRunner: QueryRunner, value: boolean): string {
  if (queryRunner.connection.driver.options.type === 'postgres') return String(value);
  return value ? '1' : '0';
}
