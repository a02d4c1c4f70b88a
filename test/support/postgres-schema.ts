import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_POSTGRES_URL } from './require-service.js';

/** A fresh schema of its own: nothing shared with other tests or runs; dropped by `drop()`. */
export interface TestSchema {
  name: string;
  /** A DATABASE_URL whose every connection uses the schema (search_path). */
  url: string;
  /** An admin connection for reading back what the app wrote. */
  client: pg.Client;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix = 'e2e'): Promise<TestSchema> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${name}"`);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    client,
    async drop() {
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await client.end();
    },
  };
}
