// The scale-out part of the benchmark: one api and two workers on PostgreSQL (a schema of their own),
// connected by a queue (BullMQ on Redis with a key prefix of its own, or RabbitMQ in a vhost of its own),
// delivering to a counting sink of their own.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startService, startSink } from './processes.mjs';

const run = promisify(execFile);

/** BullMQ on Redis: QUEUE_PREFIX keeps this run's keys apart; only they are deleted after. */
export function redisQueue(redisUrl) {
  return async (name) => ({
    env: { REDIS_URL: redisUrl, QUEUE_PREFIX: name },
    async cleanUp() {
      const redis = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  });
}

/** RabbitMQ: a vhost of this run's own (rabbitmqctl on this machine), deleted after. */
export function rabbitQueue(amqpUrl) {
  return async (name) => {
    const url = new URL(amqpUrl);
    await run('rabbitmqctl', ['-q', 'add_vhost', name]);
    await run('rabbitmqctl', ['-q', 'set_permissions', '-p', name, decodeURIComponent(url.username || 'guest'), '.*', '.*', '.*']);
    url.pathname = `/${name}`;
    return { env: { QUEUE_URL: url.toString() }, cleanUp: () => run('rabbitmqctl', ['-q', 'delete_vhost', name]) };
  };
}

export async function measureScaleOut({ load, waitForCount, adminPost, postgresUrl, queue, label, log }) {
  const schema = `bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const { env: queueEnv, cleanUp } = await queue(schema.replaceAll('_', '-'));
  const adminKey = randomBytes(24).toString('base64url');
  const env = { DATABASE_URL: url.toString(), ...queueEnv, ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_DESTINATIONS: 'true' };
  const sink = await startSink();
  const processes = [];
  try {
    const api = await startService({ ...env, ROLE: 'api' });
    processes.push(api);
    processes.push(...(await Promise.all([startService({ ...env, ROLE: 'worker' }), startService({ ...env, ROLE: 'worker' })])));
    const account = await adminPost(api, adminKey, '/accounts', { email: 'bench@example.com', account_name: 'Bench' });
    await adminPost(api, adminKey, '/destinations', { account_id: account.account_id, url: `${sink.url}/hook`, http_method: 'POST', headers: {} });
    const ingest = await load(`${api.url}/server/incoming_data`, { 'cl-x-token': account.app_secret_token }, `scale-out ingest (${label})`);
    const started = new Date(ingest.start).getTime();
    await waitForCount(sink, ingest.warmup2xx + ingest['2xx'], `scale-out deliveries (${label})`);
    log(`  … ${ingest['2xx']} messages delivered`);
    return {
      ingest: ingest.requests.average,
      ingestP50: ingest.latency.p50,
      ingestP99: ingest.latency.p99,
      ingestErrors: ingest.errors + ingest.non2xx,
      endToEnd: ingest['2xx'] / ((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    sink.stop();
    await cleanUp();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}
