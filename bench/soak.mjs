// npm run soak [-- --rate=600 --minutes=5 --destinations=2 --retention=60s --seconds-per-period=60]
// A soak: the service (ROLE=all, a fresh SQLite file) under a fixed offered ingest rate for many minutes,
// fanning out to a counting sink. Each period prints ingest rate and latency, deliveries/s, backlog, the
// database's size and the service's RSS; after the first period and at the end it times the list endpoints,
// so one sees whether any cost grows with the stored data. The load is open-loop: sends are due on a clock,
// not after the previous answer, so a slow service shows up as latency and backlog instead of a lower rate.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startService, startSink } from './processes.mjs';

const USAGE = `Usage: npm run soak -- [options]   (or node bench/soak.mjs after npm run build)
  --rate=600               messages offered per second, whatever the service answers
  --minutes=5              how many periods to run
  --seconds-per-period=60  a period's length (e.g. 10 for a quick try: --minutes=3 --seconds-per-period=10 --rate=100)
  --destinations=2         destinations of the one account, all to the counting sink
  --retention=60s          MESSAGE_RETENTION for the service (else yours is passed on; the service's default is 30d)
  --connections=64         keep-alive connections for ingest
  --payload-bytes=250      size of each JSON payload
  --list-samples=15        how many times each list request is timed (the median is printed)
  --drain-seconds=120      how long to wait at the end for the backlog to be delivered
Every other variable of your environment is passed on to the service too (e.g. DELIVERY_TIMEOUT_MS).`;

const log = (line = '') => {
  clearProgress();
  process.stdout.write(`${line}\n`);
};

function usageError(message) {
  process.stderr.write(`soak: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function readOptions() {
  const numeric = ['rate', 'minutes', 'seconds-per-period', 'destinations', 'connections', 'payload-bytes', 'list-samples', 'drain-seconds'];
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rate: { type: 'string', default: '600' },
        minutes: { type: 'string', default: '5' },
        'seconds-per-period': { type: 'string', default: '60' },
        destinations: { type: 'string', default: '2' },
        retention: { type: 'string' },
        connections: { type: 'string', default: '64' },
        'payload-bytes': { type: 'string', default: '250' },
        'list-samples': { type: 'string', default: '15' },
        'drain-seconds': { type: 'string', default: '120' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError(error.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const options = { retention: values.retention };
  for (const name of numeric) {
    const value = Number(values[name]);
    if (!(value > 0) || (name !== 'rate' && !Number.isInteger(value))) usageError(`--${name}=${values[name]} is not a positive ${name === 'rate' ? 'number' : 'integer'}`);
    options[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
  }
  return options;
}

// ---- the ingest load ----

function percentile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

function payloadOf(seq, bytes) {
  const body = { event: 'order.created', seq, sent_at: new Date().toISOString(), order: { id: `ord_${seq}`, amount: 99.5, currency: 'EUR', customer: { id: 'c_1', tier: 'gold' } }, note: '' };
  body.note = 'x'.repeat(Math.max(0, bytes - JSON.stringify(body).length));
  return JSON.stringify(body);
}

/**
 * Offers `rate` messages/s on a 1 ms clock from now on. Message n is due at start + n/rate; a late tick sends
 * all that are due, and latency is measured from when a message was due (so time spent waiting for a free
 * connection, or in a stalled client, counts). Past `maxInFlight` unanswered requests it stops sending and
 * counts the messages it could not send, so a hung service cannot make the soak run out of memory.
 */
function startLoad({ url, token, rate, connections, payloadBytes }) {
  const pool = new Pool(url, { connections, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', 'cl-x-token': token };
  const maxInFlight = Math.max(1_000, Math.ceil(rate * 30));
  const totals = { offered: 0, accepted: 0, non2xx: 0, errors: 0, notSent: 0 };
  const newPeriod = () => ({ latencies: [], accepted: 0, non2xx: 0, errors: 0, notSent: 0, statuses: {}, lastError: null });
  let period = newPeriod();
  // One accepted message id per second of the run, by the second it was due in: cursors and ids for the lists.
  const ids = [];
  let inFlight = 0;
  const started = performance.now();

  async function send(seq) {
    const dueAt = started + (seq * 1000) / rate;
    const second = Math.floor((dueAt - started) / 1000);
    if (inFlight >= maxInFlight) {
      period.notSent++;
      totals.notSent++;
      return;
    }
    inFlight++;
    try {
      const { statusCode, body } = await pool.request({ path: '/server/incoming_data', method: 'POST', headers, body: payloadOf(seq, payloadBytes) });
      const text = statusCode === 202 && ids[second] === undefined ? await body.text() : await body.dump().then(() => null);
      if (statusCode >= 200 && statusCode < 300) {
        period.latencies.push(performance.now() - dueAt);
        period.accepted++;
        totals.accepted++;
        if (text) ids[second] ??= JSON.parse(text).message_id;
      } else {
        period.non2xx++;
        totals.non2xx++;
        period.statuses[statusCode] = (period.statuses[statusCode] ?? 0) + 1;
      }
    } catch (error) {
      period.errors++;
      totals.errors++;
      period.lastError = error.code ?? error.message;
    } finally {
      inFlight--;
    }
  }

  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    while (totals.offered < due) void send(totals.offered++);
  }, 1);

  return {
    totals,
    inFlight: () => inFlight,
    elapsedSeconds: () => (performance.now() - started) / 1000,
    /** The id of a message accepted at about `second` into the run (the nearest earlier one), or null. */
    idAt(second) {
      for (let s = Math.min(Math.floor(second), ids.length - 1); s >= 0; s--) if (ids[s]) return ids[s];
      return ids.find(Boolean) ?? null;
    },
    /** The figures since the last call. */
    takePeriod() {
      const taken = period;
      period = newPeriod();
      const sorted = Float64Array.from(taken.latencies).sort();
      return { ...taken, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    },
    /** Stops offering, then waits (at most `waitMs`) for the answers in flight. */
    async stop(waitMs = 35_000) {
      clearInterval(timer);
      const deadline = Date.now() + waitMs;
      while (inFlight > 0 && Date.now() < deadline) await sleep(50);
      await pool.destroy();
    },
  };
}

// ---- what is read from the outside ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function databaseBytes(path) {
  const size = (file) => (existsSync(file) ? statSync(file).size : 0);
  const main = size(path);
  const wal = size(`${path}-wal`);
  const shm = size(`${path}-shm`);
  return { main, wal, shm, total: main + wal + shm };
}

/**
 * Copies the WAL into the database file and empties it, from a connection of our own (the load has stopped):
 * until a checkpoint, the newest pages are only in the WAL, so the file alone would understate the data.
 * False when the service's own work kept it from finishing.
 */
function checkpoint(path) {
  const db = new Database(path, { fileMustExist: true, timeout: 5_000 });
  try {
    return db.pragma('wal_checkpoint(TRUNCATE)')[0].busy === 0;
  } finally {
    db.close();
  }
}

function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null; // not Linux, or the process is gone
  }
}

/** A small client for the admin API and /metrics, on its own connection so ingest's queue does not delay it. */
function adminClient(url, adminKey) {
  const pool = new Pool(url, { connections: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const request = async (method, path, body) => {
    const started = performance.now();
    const res = await pool.request({
      path,
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, ms: performance.now() - started };
  };
  return {
    request,
    async create(path, body) {
      const res = await request('POST', path, body);
      if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${res.text}`);
      return JSON.parse(res.text);
    },
    /** A Prometheus sample's value from /metrics (the first series of that name), or null. */
    async metric(name) {
      try {
        const res = await request('GET', '/metrics');
        const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(res.text);
        return match ? Number(match[1]) : null;
      } catch {
        return null;
      }
    },
    close: () => pool.destroy(),
  };
}

/**
 * Times each list request `samples` times (after one untimed call) and keeps the median. Ids come from the
 * run itself: a cursor 5 pages in, one from a message due halfway through the run so far, and a message
 * due 5 s ago for the single-message reads (recent enough not to be purged by any retention).
 */
async function measureLists(admin, accountId, load, samples) {
  const messages = `/accounts/${accountId}/messages?limit=100`;
  let fivePagesIn = null;
  for (let page = 0; page < 5; page++) {
    const res = await admin.request('GET', fivePagesIn ? `${messages}&cursor=${fivePagesIn}` : messages);
    const next = res.status === 200 ? JSON.parse(res.text).next_cursor : null;
    if (!next) break;
    fivePagesIn = next;
  }
  const middle = load.idAt(load.elapsedSeconds() / 2);
  const recent = load.idAt(load.elapsedSeconds() - 5);
  const requests = [
    ['messages?limit=100', messages],
    ['  &status=succeeded', `${messages}&status=succeeded`],
    ['  &status=failed', `${messages}&status=failed`],
    ['  &status=pending', `${messages}&status=pending`],
    ['  &cursor= 5 pages in', fivePagesIn && `${messages}&cursor=${fivePagesIn}`],
    ['  &cursor= halfway through the run', middle && `${messages}&cursor=${middle}`],
    ['messages/{id}/deliveries', recent && `/messages/${recent}/deliveries`],
    ['messages/{id}', recent && `/messages/${recent}`],
    ['accounts?limit=100', '/accounts?limit=100'],
  ];
  const results = new Map();
  for (const [label, path] of requests) {
    if (!path) {
      results.set(label, null);
      continue;
    }
    await admin.request('GET', path);
    const times = [];
    let last;
    for (let i = 0; i < samples; i++) {
      last = await admin.request('GET', path);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    let items = '';
    if (last.status === 200) {
      const body = JSON.parse(last.text);
      items = Array.isArray(body.data) ? `${body.data.length} items` : `${body.deliveries?.length ?? 0} deliveries embedded`;
    }
    results.set(label, { ms: times[Math.floor(times.length / 2)], status: last.status, items });
  }
  return results;
}

// ---- printing ----

const mb = (bytes) => (bytes == null ? 'n/a' : (bytes / 1e6).toFixed(1));
const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const LIST_WIDTH = 36;

function printLists(title, lists) {
  log(title);
  for (const [label, result] of lists) {
    log(`  ${label.padEnd(LIST_WIDTH)} ${result ? `${ms(result.ms).padStart(7)} ms  (${result.status}, ${result.items})` : 'not measured: no id to use yet'}`);
  }
}

let progressShown = false;
function progress(text) {
  if (!process.stdout.isTTY) return;
  process.stdout.write(`\r\x1b[K${text}`);
  progressShown = true;
}
function clearProgress() {
  if (progressShown) process.stdout.write('\r\x1b[K');
  progressShown = false;
}

/** The service's configuration variables, read from its schema so that new ones (MESSAGE_RETENTION) show up. */
function serviceVariables() {
  try {
    const schema = readFileSync(new URL('../src/config/environment.ts', import.meta.url), 'utf8');
    return new Set([...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+): Joi\./gm)].map((m) => m[1]).concat('MESSAGE_RETENTION'));
  } catch {
    return new Set(['MESSAGE_RETENTION']);
  }
}

function retentionMs(text) {
  if (text === undefined) return 30 * 86_400_000;
  if (text.trim() === '0') return 0;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2]] : null;
}

// ---- the run ----

// Async steps for an orderly stop (the service finishes its deliveries in flight), last started first; and
// synchronous ones for `exit`, which also runs on a second Ctrl-C or an uncaught error.
const cleanups = [];
const atExit = [];
process.on('exit', () => {
  for (const step of atExit) {
    try {
      step();
    } catch {
      // keep cleaning
    }
  }
});
let cleaning = null;
function cleanUp() {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch {
        // keep cleaning
      }
    }
  })();
  return cleaning;
}

async function main() {
  const options = readOptions();
  if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
    throw new Error('dist/src/main.js is missing: run `npm run soak` (it builds first) or `npm run build`');
  }
  const { rate, minutes: periods, secondsPerPeriod, destinations } = options;
  const unit = secondsPerPeriod === 60 ? 'minute' : 'period';

  const dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-soak-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  cleanups.push(removeDataDir);
  atExit.push(removeDataDir);
  const databasePath = join(dataDir, 'soak.sqlite');
  const adminKey = randomBytes(24).toString('base64url');

  const passedOn = { ...process.env };
  for (const name of ['PORT', 'HOST', 'DATABASE_URL', 'ROLE', 'ADMIN_API_KEY', 'ALLOW_PRIVATE_DESTINATIONS']) delete passedOn[name];
  if (options.retention !== undefined) passedOn.MESSAGE_RETENTION = options.retention;
  const retention = passedOn.MESSAGE_RETENTION;
  const env = { ...passedOn, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', DATABASE_URL: `sqlite:${databasePath}`, ROLE: 'all', ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_DESTINATIONS: 'true' };
  const known = serviceVariables();
  const shown = Object.keys(passedOn)
    .filter((name) => known.has(name))
    .sort()
    .map((name) => (/_URL$|_KEY$/.test(name) ? name : `${name}=${passedOn[name]}`));
  if (process.env.DATABASE_URL) log(`(DATABASE_URL of your environment is not used: the soak runs on a fresh SQLite file)`);

  const loadAtStart = loadavg();
  log(`Data Pusher soak: ${rate} msg/s offered for ${periods} × ${secondsPerPeriod} s, 1 account × ${destinations} destinations, ROLE=all, SQLite`);
  log(`  database ${databasePath}; MESSAGE_RETENTION=${retention ?? '(unset: the service default, 30d)'}`);
  log(`  service variables from your environment: ${shown.length ? shown.join(' ') : 'none'}`);
  log(`  load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`);

  log('… starting the counting sink and the service');
  const sink = await startSink();
  cleanups.push(() => sink.stop());
  atExit.push(() => sink.stop());
  let service;
  try {
    service = await startService(env);
  } catch (error) {
    throw new Error(`the service did not start (${error.message}); its error is above. Check the variables passed on from your environment`);
  }
  cleanups.push(() => service.stop(10_000));
  atExit.push(() => service.exitReason() ?? process.kill(service.pid, 'SIGKILL'));
  const admin = adminClient(service.url, adminKey);
  cleanups.push(() => admin.close());

  const account = await admin.create('/accounts', { email: `soak-${Date.now()}@example.com`, account_name: 'Soak' });
  for (let i = 0; i < destinations; i++) {
    await admin.create('/destinations', { account_id: account.account_id, url: `${sink.url}/soak/${i}`, http_method: 'POST', headers: {} });
  }

  const load = startLoad({ url: service.url, token: account.app_secret_token, rate, connections: options.connections, payloadBytes: options.payloadBytes });
  cleanups.push(() => load.stop(1_000));
  const progressTimer = setInterval(() => {
    const t = load.elapsedSeconds();
    progress(`  … ${unit} ${Math.min(periods, Math.floor(t / secondsPerPeriod) + 1)}/${periods}: ${Math.floor(t % secondsPerPeriod)} s, ${load.totals.offered} offered, ${load.inFlight()} in flight`);
  }, 1_000);
  cleanups.push(() => clearInterval(progressTimer));

  const columns = [unit.padStart(6), 'ingest/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'deliv/s', 'backlog', 'pending', 'db MB', 'wal MB', 'shm MB', 'RSS MB'];
  const widths = columns.map((c) => Math.max(c.length, 7));
  const row = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join(' ');
  log(`Every ${secondsPerPeriod} s: ingest/s = 2xx answers per second; p50/p99 of 2xx answers, from when each message was due; errors = no answer (or not sent`);
  log(`  because ${Math.max(1_000, Math.ceil(rate * 30))} were unanswered); deliv/s from the sink's count; backlog = accepted × ${destinations} − delivered; pending = the`);
  log('  service\'s data_pusher_pending_deliveries; db/wal/shm = the SQLite files; RSS = the service process\'s VmRSS.');
  log(row(columns));

  const history = [];
  let lastDelivered = 0;
  let lastAt = performance.now();
  let firstLists = null;
  for (let p = 1; p <= periods; p++) {
    await sleep(Math.max(0, p * secondsPerPeriod - load.elapsedSeconds()) * 1000);
    const exit = service.exitReason();
    if (exit) throw new Error(`the service exited (${exit}) during ${unit} ${p}; its error is above. Rerun with LOG_LEVEL=info to see its log`);
    const figures = load.takePeriod();
    const now = performance.now();
    const seconds = (now - lastAt) / 1000;
    const delivered = await sink.count();
    const pending = await admin.metric('data_pusher_pending_deliveries');
    const db = databaseBytes(databasePath);
    const rss = rssBytes(service.pid);
    const entry = { period: p, ingest: figures.accepted / seconds, p50: figures.p50, p99: figures.p99, db, rss };
    history.push(entry);
    log(
      row([
        p,
        entry.ingest.toFixed(1),
        ms(figures.p50),
        ms(figures.p99),
        figures.non2xx,
        figures.errors + figures.notSent,
        ((delivered - lastDelivered) / seconds).toFixed(1),
        load.totals.accepted * destinations - delivered,
        pending ?? 'n/a',
        mb(db.main),
        mb(db.wal),
        mb(db.shm),
        mb(rss),
      ]),
    );
    if (figures.non2xx) log(`  non-2xx answers by status: ${JSON.stringify(figures.statuses)}`);
    if (figures.errors) log(`  last error: ${figures.lastError}`);
    if (figures.notSent) log(`  ${figures.notSent} messages not sent: too many requests unanswered (is the service stuck?)`);
    lastDelivered = delivered;
    lastAt = now;
    if (p === 1) {
      firstLists = await measureLists(admin, account.account_id, load, options.listSamples);
      printLists(`List latency after ${unit} 1 (median of ${options.listSamples}, ingest still running):`, firstLists);
    }
  }

  const lastLists = periods === 1 ? firstLists : await measureLists(admin, account.account_id, load, options.listSamples);
  log('… stopping the load, then waiting for the backlog to be delivered');
  await load.stop();
  clearInterval(progressTimer);
  const { totals } = load;
  const target = totals.accepted * destinations;
  const drainStarted = Date.now();
  let delivered = await sink.count();
  while (delivered < target && Date.now() - drainStarted < options.drainSeconds * 1000) {
    progress(`  … ${delivered}/${target} delivered, ${Math.round((Date.now() - drainStarted) / 1000)} s of at most ${options.drainSeconds} s`);
    await sleep(500);
    delivered = await sink.count();
  }
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const beforeCheckpoint = databaseBytes(databasePath);
  const checkpointed = checkpoint(databasePath);
  const finalDb = databaseBytes(databasePath);
  const purged = await admin.metric('data_pusher_messages_purged_total');
  const loadAtEnd = loadavg();

  log('');
  log(`List latency, after ${unit} 1 and at the end (median of ${options.listSamples}, ingest still running; the check: at most 2× after ${unit} 1):`);
  for (const [label, end] of lastLists) {
    const first = firstLists.get(label);
    const ratio = first && end ? end.ms / first.ms : NaN;
    const verdict = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${ratio > 2 ? '  OVER 2×' : ''}` : 'n/a';
    log(`  ${label.padEnd(LIST_WIDTH)} ${(first ? ms(first.ms) : 'n/a').padStart(7)} → ${(end ? ms(end.ms) : 'n/a').padStart(7)} ms  ${verdict}${end ? `  (${end.status}, ${end.items})` : ''}`);
  }

  log('');
  log('Summary');
  log(`  offered ${totals.offered} messages, accepted ${totals.accepted} (2xx), ${totals.non2xx} non-2xx, ${totals.errors} without an answer, ${totals.notSent} not sent`);
  log(`  delivered ${delivered} of ${target} (${destinations} per accepted message), backlog ${Math.max(0, target - delivered)} after ${drainSeconds.toFixed(0)} s of waiting${delivered < target ? `: raise --drain-seconds, or the service cannot keep up with ${rate} msg/s × ${destinations}` : ''}`);
  const p99s = history.map((h) => h.p99);
  // The first period holds the warm-up (JIT, connections, the first WAL growth): flat means flat after it.
  const flatFrom = p99s.length >= 2 ? 1 : 0;
  log(
    `  ingest p99 by ${unit}: ${p99s.map(ms).join(', ')} ms; last / ${unit} ${flatFrom + 1}: ${(p99s.at(-1) / p99s[flatFrom]).toFixed(2)}, ` +
      `highest from ${unit} ${flatFrom + 1} on: ${ms(Math.max(...p99s.slice(flatFrom)))} ms`,
  );
  if (history.length >= 2) {
    const second = history[1].db.total;
    const last = history.at(-1).db.total;
    const mainFile = `the database file alone ${mb(history[1].db.main)} → ${mb(history.at(-1).db.main)} MB`;
    log(`  database (all three files) after ${unit} 2: ${mb(second)} MB, after ${unit} ${history.length}: ${mb(last)} MB (${(((last - second) / second) * 100).toFixed(1)} %; with retention the check is within 15 %; ${mainFile})`);
  }
  const files = (db) => `database ${mb(db.main)} MB + WAL ${mb(db.wal)} MB + shm ${mb(db.shm)} MB`;
  log(`  at the end: ${files(beforeCheckpoint)}; after a checkpoint${checkpointed ? '' : ' (busy: not complete)'}: ${files(finalDb)}; service RSS ${mb(rssBytes(service.pid))} MB`);
  log(`  messages purged by retention: ${purged ?? 'n/a (no data_pusher_messages_purged_total: this service does not purge)'}`);
  const keptAll = !purged && retentionMs(retention) !== null && (retentionMs(retention) === 0 || retentionMs(retention) > (periods * secondsPerPeriod + drainSeconds) * 1000);
  if (keptAll && totals.accepted > 0) {
    const perMessage = finalDb.main / totals.accepted;
    const perMessageWithWal = finalDb.total / totals.accepted;
    const disk = (seconds) => `${((perMessage * rate * seconds) / 1e9).toFixed(1)} GB`;
    log(`  bytes per message: ${perMessage.toFixed(0)} (database file after the checkpoint / messages stored; ${perMessageWithWal.toFixed(0)} counting WAL and shm), ${destinations} deliveries each`);
    log(`  disk ≈ bytes per message × rate × retention, plus the WAL (at most 64 MB): at ${rate} msg/s, 1d ${disk(86_400)}, 7d ${disk(7 * 86_400)}, 30d ${disk(30 * 86_400)}`);
  } else {
    log('  bytes per message: not meaningful here (messages were purged, or may have been); run without --retention and MESSAGE_RETENTION for it');
  }
  log(`  load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')}`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: the children were already told to stop
    interrupted = true;
    log(`\n${signal}: stopping the load, the service and the sink, and removing the temporary folder (Ctrl-C again to leave at once)`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp)
  .then(() => process.exit(0))
  .catch(async (error) => {
    log('');
    process.stderr.write(`soak failed: ${error.message ?? error}\n`);
    await cleanUp();
    process.exit(1);
  });
