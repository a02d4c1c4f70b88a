// The scale-out part of the benchmark: one api and two workers on PostgreSQL (a schema of its own) and
// Redis (a database number and key prefix of its own), delivering to the same counting sink.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startService, startSink } from './processes.mjs';

export async function measureScaleOut({ load, waitForCount, adminPost, postgresUrl, redisUrl, log }) {
  const schema = `bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const adminKey = randomBytes(24).toString('base64url');
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: schema,
    ADMIN_API_KEY: adminKey,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
  };
  const sink = await startSink();
  const processes = [];
  try {
    const api = await startService({ ...env, ROLE: 'api' });
    processes.push(api);
    processes.push(...(await Promise.all([startService({ ...env, ROLE: 'worker' }), startService({ ...env, ROLE: 'worker' })])));
    const account = await adminPost(api, adminKey, '/accounts', { email: 'bench@example.com', account_name: 'Bench' });
    await adminPost(api, adminKey, '/destinations', { account_id: account.account_id, url: `${sink.url}/hook`, http_method: 'POST', headers: {} });
    const ingest = await load(`${api.url}/server/incoming_data`, { 'cl-x-token': account.app_secret_token }, 'scale-out ingest');
    const started = new Date(ingest.start).getTime();
    await waitForCount(sink, ingest.warmup2xx + ingest['2xx'], 'scale-out deliveries');
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
    await redis.flushdb();
    redis.disconnect();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}
