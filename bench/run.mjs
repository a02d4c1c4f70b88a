// npm run bench [-- --duration=10 --connections=32 --backlog=20000]
// Measures, in one run on this machine: a bare Node http server's requests/s (the yardstick), durable
// ingest requests/s and latency, and end-to-end deliveries/s to a loopback sink.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBareServer, startService, startSink } from './processes.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    backlog: { type: 'string', default: '20000' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const backlog = Number(values.backlog);
const payload = JSON.stringify({ event: 'order.created', order_id: 12345, amount: 99.5, customer: { id: 'c_1', tier: 'gold' } });

const log = (line) => process.stdout.write(`${line}\n`);

function load(url, headers, title) {
  log(`  … ${title}: ${connections} connections for ${duration} s`);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', ...headers }, body: payload },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
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

  log('1/3 bare Node http server (JSON parse + 202)');
  const bare = await startBareServer();
  const bareResult = await load(bare.url, {}, 'bare server');
  bare.stop();
  results.bare = bareResult.requests.average;

  const dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-bench-'));
  const adminKey = randomBytes(24).toString('base64url');
  const sink = await startSink();
  const env = { DATABASE_URL: `sqlite:${join(dataDir, 'bench.sqlite')}`, ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_DESTINATIONS: 'true' };
  try {
    log('2/3 durable ingest (1 destination, delivery running alongside)');
    let service = await startService(env);
    const account = await adminPost(service, adminKey, '/accounts', { email: 'bench@example.com', account_name: 'Bench' });
    await adminPost(service, adminKey, '/destinations', { account_id: account.account_id, url: `${sink.url}/hook`, http_method: 'POST', headers: {} });
    const ingest = await load(`${service.url}/server/incoming_data`, { 'cl-x-token': account.app_secret_token }, 'ingest');
    const accepted = ingest['2xx'];
    const ingestStarted = Date.parse(ingest.start);
    await waitForCount(sink, accepted, 'deliveries of the ingest run');
    const endToEndSeconds = (Date.now() - ingestStarted) / 1000;
    results.ingest = ingest.requests.average;
    results.ingestP99 = ingest.latency.p99;
    results.ingestP50 = ingest.latency.p50;
    results.ingestErrors = ingest.errors + ingest.non2xx;
    results.endToEnd = accepted / endToEndSeconds;
    await service.stop();

    log(`3/3 delivery of a ${backlog}-message backlog (ingested with ROLE=api, then drained by a worker)`);
    service = await startService({ ...env, ROLE: 'api' });
    const before = await sink.count();
    const body = JSON.parse(payload);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < backlog) {
          next++;
          const res = await fetch(`${service.url}/server/incoming_data`, {
            method: 'POST',
            headers: { 'cl-x-token': account.app_secret_token, 'content-type': 'application/json' },
            body: JSON.stringify({ ...body, n: next }),
          });
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
        }
      }),
    );
    await service.stop();
    const drainStarted = Date.now();
    service = await startService({ ...env, ROLE: 'all' });
    await waitForCount(sink, before + backlog, 'backlog');
    results.drain = backlog / ((Date.now() - drainStarted) / 1000);
    await service.stop();
  } finally {
    sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const pct = (x) => `${Math.round((x / results.bare) * 100)} %`;
  log('');
  log('| measure | result |');
  log('| --- | --- |');
  log(`| bare Node http server | ${Math.round(results.bare)} req/s |`);
  log(`| durable ingest (SQLite, group commit) | ${Math.round(results.ingest)} req/s (${pct(results.ingest)} of bare), p50 ${results.ingestP50} ms, p99 ${results.ingestP99} ms, ${results.ingestErrors} errors |`);
  log(`| end to end during the ingest run | ${Math.round(results.endToEnd)} deliveries/s |`);
  log(`| backlog drain (worker only) | ${Math.round(results.drain)} deliveries/s |`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
