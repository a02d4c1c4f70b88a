// node bench/fanout-stall.mjs [--destinations=10000] [--ingests=50] [--role=all|api]   (after npm run build)
// Big fan-out: how long ingest of messages to an account with many destinations stalls the API's event loop.
// The service runs in this process (the stall is measured where ingest runs) on a fresh SQLite file; the
// destinations point at a counting sink in its own process and are inserted with SQL (the API would take
// minutes to create 10,000). Prints the longest event-loop delay seen (perf_hooks.monitorEventLoopDelay)
// while one message is ingested, then while `--ingests` messages are ingested at once, and the slowest
// /health answer meanwhile.
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createHttpApp } from '../dist/src/http-app.js';
import { startSink } from './processes.mjs';

const { values } = parseArgs({
  options: {
    destinations: { type: 'string', default: '10000' },
    ingests: { type: 'string', default: '50' },
    role: { type: 'string', default: 'all' },
  },
});
const destinations = Number(values.destinations);
const ingests = Number(values.ingests);
const log = (line) => process.stdout.write(`${line}\n`);

const dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-stall-'));
const databasePath = join(dataDir, 'data-pusher.sqlite');
const adminKey = randomBytes(24).toString('base64url');
const sink = await startSink();

const app = await createHttpApp({
  DATABASE_URL: `sqlite:${databasePath}`,
  ADMIN_API_KEY: adminKey,
  LOG_LEVEL: 'warn',
  ALLOW_PRIVATE_DESTINATIONS: 'true',
  ROLE: values.role,
});
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;

try {
  const account = await (
    await fetch(`${base}/accounts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `stall-${randomUUID()}@example.com`, account_name: 'Big fan-out' }),
    })
  ).json();
  const db = new Database(databasePath);
  const insert = db.prepare(
    `INSERT INTO destinations (id, account_id, url, http_method, headers, signing_secret, created_at, updated_at)
     VALUES (?, ?, ?, 'POST', '{}', ?, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < destinations; i++) {
      insert.run(randomUUID(), account.account_id, `${sink.url}/d${i}`, `whsec_${randomBytes(24).toString('base64')}`, now, now);
    }
  })();
  db.close();

  const ingest = async () => {
    const res = await fetch(`${base}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': account.app_secret_token, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'stall.test', at: Date.now() }),
    });
    const body = await res.json();
    if (res.status !== 202 || body.destinations !== destinations) throw new Error(`ingest: ${res.status} ${JSON.stringify(body)}`);
  };

  /** Runs `work` while sampling the event loop and timing /health every 20 ms. */
  async function measure(title, work) {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let slowestHealth = 0;
    let healthChecks = 0;
    let running = true;
    const prober = (async () => {
      while (running) {
        const started = performance.now();
        const res = await fetch(`${base}/health`);
        await res.arrayBuffer();
        slowestHealth = Math.max(slowestHealth, performance.now() - started);
        healthChecks++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    delay.enable();
    const started = performance.now();
    await work();
    const took = performance.now() - started;
    delay.disable();
    running = false;
    await prober;
    log(
      `${title}: ${took.toFixed(0)} ms; event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; ` +
        `slowest of ${healthChecks} /health answers ${slowestHealth.toFixed(1)} ms`,
    );
  }

  log(`${destinations} destinations, ROLE=${values.role}, SQLite`);
  await measure('1 ingest', ingest);
  await measure(`${ingests} ingests at once`, () => Promise.all(Array.from({ length: ingests }, ingest)));
} finally {
  await app.close();
  sink.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
