import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { baseEnv, fairnessCases, scaleOutDeployment } from './support/fairness.js';
import { requirePostgres, requireRedis, TEST_REDIS_URL } from './support/require-service.js';
import { deleteQueueKeys } from './support/redis-keys.js';
import { startServerProcess } from './support/server-process.js';

fairnessCases(describe, 'embedded: ROLE=all on SQLite', async () => {
  const adminKey = randomBytes(24).toString('base64url');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'data-pusher-fair-'));
  const server = await startServerProcess({ ...baseEnv(adminKey), DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` });
  return {
    url: server.url,
    adminKey,
    output: () => server.output(),
    async stop() {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const describeWithPostgres = await requirePostgres();
const describeWithBoth = (await requireRedis()) === describe.skip ? describe.skip : describeWithPostgres;

fairnessCases(describeWithBoth, 'scale-out: 1 api + 2 workers on PostgreSQL and Redis', () =>
  scaleOutDeployment(async (schema) => {
    const prefix = `dp-test-${schema.name}`;
    return {
      env: { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      async cleanUp() {
        const redis = new Redis(TEST_REDIS_URL);
        await deleteQueueKeys(redis, prefix);
        redis.disconnect();
      },
    };
  }),
);
