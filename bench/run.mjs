// npm run bench [-- --duration=10 --connections=32 --mode=embedded|scale]
// Measures, in one run on this machine: a bare Node http server's requests/s (the yardstick), durable
// ingest requests/s and latency, and end-to-end deliveries/s to a loopback sink. --mode=scale adds the
// same measures for one api and two workers on PostgreSQL, once with BullMQ on Redis and once with RabbitMQ
// (local servers at their usual ports), so the two queues are compared in one run.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCeiling, measureFanOut, measureIdleLatency } from './fanout.mjs';
import { startBareServer, startService, startSink } from './processes.mjs';
import { measureScaleOut, rabbitQueue, redisQueue } from './scale-out.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    mode: { type: 'string', default: 'embedded' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/14' },
    'amqp-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
  },
});
if (!['embedded', 'scale'].includes(values.mode)) throw new Error('--mode is embedded or scale');
const duration = Number(values.duration);
const connections = Number(values.connections);
const payload = JSON.stringify({ event: 'order.created', order_id: 12345, amount: 99.5, customer: { id: 'c_1', tier: 'gold' } });

const log = (line) => process.stdout.write(`${line}\n`);

/** Seconds of unmeasured load first, so that the JIT and the connection pools are warm. */
const WARMUP_SECONDS = 2;

function run(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** A warm-up, then the measured run; `warmup2xx` says how many requests the warm-up had answered. */
async function load(url, headers, title) {
  const base = { url, method: 'POST', connections, headers: { 'content-type': 'application/json', ...headers }, body: payload };
  const warmup = await run({ ...base, duration: WARMUP_SECONDS });
  log(`  … ${title}: ${connections} connections for ${duration} s (after a ${WARMUP_SECONDS} s warm-up)`);
  const result = await run({ ...base, duration });
  return { ...result, warmup2xx: warmup['2xx'] };
}

async function adminPost(service, adminKey, path, body) {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function waitForCount(sink, target, label) {
  const started = Date.now();
  let last = -1;
  for (;;) {
    const count = await sink.count();
    if (count >= target) return count;
    if (count !== last && Date.now() - started > 2_000) log(`  … ${label}: ${count}/${target} delivered`);
    last = count;
    if (Date.now() - started > 300_000) throw new Error(`${label}: only ${count}/${target} delivered after 5 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const results = {};
  log('Data Pusher benchmark (embedded mode: SQLite + in-process worker)');

  log('1/6 bare Node http server (JSON parse + 202)');
  const bare = await startBareServer();
  const bareResult = await load(bare.url, {}, 'bare server');
  bare.stop();
  results.bare = bareResult.requests.average;

  const dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-bench-'));
  const adminKey = randomBytes(24).toString('base64url');
  const sink = await startSink();
  const env = { DATABASE_URL: `sqlite:${join(dataDir, 'bench.sqlite')}`, ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_DESTINATIONS: 'true' };
  try {
    log('2/6 raw undici to the sink (the ceiling), 10-way fan-out end to end (ROLE=all), the ceiling again');
    results.ceilingBefore = await measureCeiling(sink.url, payload);
    let service = await startService(env);
    const fanOut = await measureFanOut({ service, sink, adminPost, adminKey, payload, waitForCount, log });
    await service.stop();
    results.ceilingAfter = await measureCeiling(sink.url, payload);
    results.fanOut = fanOut.deliveriesPerSecond;
    results.fanOutIngest = fanOut.ingestPerSecond;

    log('3/6 idle end-to-end latency, one message at a time');
    service = await startService(env);
    results.idle = await measureIdleLatency({ service, adminPost, adminKey, payload });
    await service.stop();

    log('4/6 durable ingest with delivery in the same process (ROLE=all, 1 destination)');
    service = await startService(env);
    const account = await adminPost(service, adminKey, '/accounts', { email: 'bench@example.com', account_name: 'Bench' });
    await adminPost(service, adminKey, '/destinations', { account_id: account.account_id, url: `${sink.url}/hook`, http_method: 'POST', headers: {} });
    const ingest = await load(`${service.url}/server/incoming_data`, { 'cl-x-token': account.app_secret_token }, 'ingest');
    const accepted = ingest['2xx'];
    const ingestStarted = new Date(ingest.start).getTime();
    await waitForCount(sink, ingest.warmup2xx + accepted, 'deliveries of the ingest run');
    const endToEndSeconds = (Date.now() - ingestStarted) / 1000;
    results.ingest = ingest.requests.average;
    results.ingestP99 = ingest.latency.p99;
    results.ingestP50 = ingest.latency.p50;
    results.ingestErrors = ingest.errors + ingest.non2xx;
    results.endToEnd = accepted / endToEndSeconds;
    await service.stop();

    log('5/6 ingest only (ROLE=api), then the delivery of what it queued by a worker alone');
    service = await startService({ ...env, ROLE: 'api' });
    const before = await sink.count();
    const backlogRun = await load(`${service.url}/server/incoming_data`, { 'cl-x-token': account.app_secret_token }, 'ingest only');
    results.apiIngest = backlogRun.requests.average;
    results.apiIngestP50 = backlogRun.latency.p50;
    results.apiIngestP99 = backlogRun.latency.p99;
    // The same ingest for an account with an ingest_rate_limit it never reaches: what the limiter costs.
    const limited = await adminPost(service, adminKey, '/accounts', { email: 'bench-limited@example.com', account_name: 'Bench limited', ingest_rate_limit: 1_000_000 });
    await adminPost(service, adminKey, '/destinations', { account_id: limited.account_id, url: `${sink.url}/limited`, http_method: 'POST', headers: {} });
    const limitedRun = await load(`${service.url}/server/incoming_data`, { 'cl-x-token': limited.app_secret_token }, 'ingest only, with a rate limit never reached');
    results.limitedIngest = limitedRun.requests.average;
    results.limitedIngestNon2xx = limitedRun.non2xx;
    const queued = backlogRun.warmup2xx + backlogRun['2xx'] + limitedRun.warmup2xx + limitedRun['2xx'];
    results.backlog = queued;
    await service.stop();
    service = await startService({ ...env, ROLE: 'all' });
    const drainStarted = Date.now();
    await waitForCount(sink, before + queued, 'backlog');
    results.drain = queued / ((Date.now() - drainStarted) / 1000);
    await service.stop();
  } finally {
    sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (values.mode === 'scale') {
    const scaleOut = { load, waitForCount, adminPost, payload, postgresUrl: values['postgres-url'], log };
    log('6/6 scale-out: 1 api + 2 workers on PostgreSQL, with BullMQ on Redis, then with RabbitMQ');
    results.scale = await measureScaleOut({ ...scaleOut, queue: redisQueue(values['redis-url']), label: 'BullMQ' });
    results.scaleRabbit = await measureScaleOut({ ...scaleOut, queue: rabbitQueue(values['amqp-url']), label: 'RabbitMQ' });
  }

  const pct = (x) => `${Math.round((x / results.bare) * 100)} %`;
  log('');
  log('| measure | result |');
  log('| --- | --- |');
  log(`| bare Node http server | ${Math.round(results.bare)} req/s |`);
  const ceiling = (results.ceilingBefore + results.ceilingAfter) / 2;
  log(`| raw undici POSTs to the sink (ceiling, before / after fan-out) | ${Math.round(results.ceilingBefore)} / ${Math.round(results.ceilingAfter)} req/s |`);
  log(`| 10-way fan-out end to end (1 account × 10 destinations × 2,000 messages, ROLE=all) | ${Math.round(results.fanOut)} deliveries/s = **${(results.fanOut / ceiling).toFixed(2)} of the ceiling**; ingest during it ${Math.round(results.fanOutIngest)} msg/s |`);
  log(`| idle end to end, one message at a time | p50 ${results.idle.p50.toFixed(1)} ms, p99 ${results.idle.p99.toFixed(1)} ms |`);
  log(`| durable ingest, delivering alongside (ROLE=all, SQLite) | ${Math.round(results.ingest)} req/s (${pct(results.ingest)} of bare), p50 ${results.ingestP50} ms, p99 ${results.ingestP99} ms, ${results.ingestErrors} errors |`);
  log(`| end to end during the ingest run | ${Math.round(results.endToEnd)} deliveries/s |`);
  log(`| durable ingest alone (ROLE=api, no delivery in the process) | ${Math.round(results.apiIngest)} req/s (${pct(results.apiIngest)} of bare), p50 ${results.apiIngestP50} ms, p99 ${results.apiIngestP99} ms |`);
  log(`| durable ingest alone, account with an ingest_rate_limit never reached | ${Math.round(results.limitedIngest)} req/s (${pct(results.limitedIngest)} of bare, ${(results.limitedIngest / results.apiIngest).toFixed(2)} of the unlimited run), ${results.limitedIngestNon2xx} non-2xx |`);
  log(`| delivery of that backlog (${results.backlog} messages, worker only) | ${Math.round(results.drain)} deliveries/s |`);
  if (results.scale) {
    const bull = results.scale;
    const rabbit = results.scaleRabbit;
    const ingestFigures = (r) => `${Math.round(r.ingest)} req/s (${pct(r.ingest)} of bare), p50 ${r.ingestP50} ms, p99 ${r.ingestP99} ms, ${r.ingestErrors} errors`;
    log(`| scale-out ingest (1 api, PostgreSQL + BullMQ on Redis, 2 workers running) | ${ingestFigures(bull)} |`);
    log(`| scale-out ingest (1 api, PostgreSQL + RabbitMQ, 2 workers running) | ${ingestFigures(rabbit)} |`);
    log(`| scale-out end to end (2 workers), BullMQ | ${Math.round(bull.endToEnd)} deliveries/s |`);
    log(`| scale-out end to end (2 workers), RabbitMQ | ${Math.round(rabbit.endToEnd)} deliveries/s |`);
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
