import pg from 'pg';

/** The test suites that need an external service declare it with the `describe` this returns. */
export type Describe = (name: string, body: () => void) => void;

/**
 * Decides how a suite that needs an external service (PostgreSQL, Redis, ...) runs, from one probe made
 * before the suite is declared:
 * - the service answers: an ordinary `describe`;
 * - it does not and `CI=true`: the suite is one failing test naming the service and the reason, so CI can
 *   never go green by silently skipping it;
 * - it does not, elsewhere: `describe.skip`, with the reason printed, so a laptop without the service can
 *   still run the rest of the tests.
 */
export async function requireService(service: string, probe: () => Promise<void>): Promise<Describe> {
  let reason: string | null = null;
  try {
    await probe();
  } catch (error) {
    reason = error instanceof Error ? error.message || error.name : String(error);
  }
  if (reason === null) return describe;
  const explanation = `${service} is not reachable (${reason})`;
  if (process.env.CI === 'true') {
    return (name, _body) =>
      describe(name, () => {
        it(`needs ${service}`, () => {
          throw new Error(`${explanation}; CI=true, so this suite fails instead of being skipped`);
        });
      });
  }
  console.warn(`Skipping tests: ${explanation}. Start it, or set CI=true to make this a failure.`);
  return describe.skip;
}

/** Where the PostgreSQL tests connect; TEST_POSTGRES_URL overrides it. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `describe` for suites that need PostgreSQL at TEST_POSTGRES_URL (see requireService). */
export function requirePostgres(url = TEST_POSTGRES_URL): Promise<Describe> {
  return requireService(`PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//')}`, async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** Where the Redis tests connect (database number included); TEST_REDIS_URL overrides it. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `describe` for suites that need Redis at TEST_REDIS_URL (see requireService). */
export function requireRedis(url = TEST_REDIS_URL): Promise<Describe> {
  return requireService(`Redis at ${url}`, async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  });
}
