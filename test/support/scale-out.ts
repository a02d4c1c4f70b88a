import { peakRate } from './arrivals.js';
import { expectEventually } from './expect-eventually.js';
import type { TestSchema } from './postgres-schema.js';
import type { ReceivedRequest, Sink } from './sink.js';

/**
 * What the scale-out tests do over HTTP against one api process, whichever queue connects it to its
 * workers: create accounts and destinations, ingest in parallel, and check what the sink got.
 */
export interface ScaleOutClient {
  adminPost(path: string, body: unknown): Promise<Record<string, string>>;
  ingest(payload: object, headers?: Record<string, string>, token?: string): Promise<{ status: number; body: Record<string, string> }>;
  /** `count` messages, 8 at a time; every answer must be 202. Their message ids. */
  sendMany(count: number, label: string): Promise<string[]>;
}

export function scaleOutClient(apiUrl: () => string, adminKey: string, token: () => string): ScaleOutClient {
  const ingest: ScaleOutClient['ingest'] = async (payload, headers = {}, asToken = token()) => {
    const res = await fetch(`${apiUrl()}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': asToken, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(payload),
      // A stuck api fails the test with this, rather than with the test's own time limit.
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  return {
    async adminPost(path, body) {
      const res = await fetch(`${apiUrl()}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as Record<string, string>;
    },
    ingest,
    async sendMany(count, label) {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < count) {
            const n = next++;
            const res = await ingest({ label, n });
            expect(res.status).toBe(202);
            ids.push(res.body.message_id);
          }
        }),
      );
      return ids;
    },
  };
}

/** Every message reached every one of the sink's paths (by webhook-id). */
export function expectAllDelivered(sink: Sink, ids: string[], paths: string[]): void {
  for (const path of paths) {
    const seen = new Set(sink.received.filter((r) => r.path === path).map((r) => String(r.headers['webhook-id'])));
    const missing = ids.filter((id) => !seen.has(id));
    expect({ path, missing: missing.length }).toEqual({ path, missing: 0 });
  }
}

/** How late the sink may notice an abandoned connection, after the client's retry has already arrived. */
const ABANDON_NOTICE_SLACK_MS = 50;

/**
 * No delivery was sent again while an earlier attempt of it was still open (unanswered and not given up).
 * The sink runs in the test's own process: when that process stands still (a long garbage collection late in
 * a full run), the sink reads a legitimate retry before it answers, or notices the abandonment of, an attempt
 * the client had long given up on. Its stamps then say nothing about the order on the wire, so an overlap is
 * only a failure when the sink did not stall between the two requests; two sends of one delivery at once
 * (a broken lease or claim) arrive within milliseconds and are caught.
 */
export function expectNoDeliverySentTwiceAtOnce(sink: Pick<Sink, 'received' | 'stalls'>): void {
  const byDelivery = new Map<string, ReceivedRequest[]>();
  for (const r of sink.received) {
    const key = `${String(r.headers['webhook-id'])} ${r.path}`;
    byDelivery.set(key, [...(byDelivery.get(key) ?? []), r]);
  }
  const stalledBetween = (from: number, to: number) => sink.stalls.some((stall) => stall.to >= from && stall.from <= to);
  const overlaps: unknown[] = [];
  for (const requests of byDelivery.values()) {
    const sorted = [...requests].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) {
      const earlier = sorted[i - 1];
      // The sink notices a connection the client gave up on in a later turn of its event loop than the client's
      // abort; under load it can read the retry first, a few milliseconds before it stamps the abandonment.
      const over = Math.min(earlier.answeredAt ?? Infinity, (earlier.abandonedAt ?? Infinity) - ABANDON_NOTICE_SLACK_MS);
      if (sorted[i].at < over && !stalledBetween(earlier.at, sorted[i].at)) {
        const stamps = (r: ReceivedRequest) => ({ at: r.at, answeredAt: r.answeredAt, abandonedAt: r.abandonedAt });
        overlaps.push({ delivery: `${String(earlier.headers['webhook-id'])} ${earlier.path}`, earlier: stamps(earlier), later: stamps(sorted[i]) });
      }
    }
  }
  expect(overlaps).toEqual([]);
}

/** Deliveries of the schema not yet succeeded. */
export async function unfinishedDeliveries(schema: TestSchema): Promise<number> {
  const { rows } = await schema.client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema.name}".deliveries WHERE status <> 'succeeded'`);
  return Number(rows[0].n);
}

/** The deliveries not yet succeeded, grouped by what they show (empty when all succeeded): a failing test says why. */
export async function unfinishedSummary(schema: TestSchema): Promise<Array<Record<string, unknown>>> {
  const { rows } = await schema.client.query(
    `SELECT status, attempts, last_status_code, last_error, (leased_until IS NOT NULL) AS leased, COUNT(*)::int AS n
       FROM "${schema.name}".deliveries WHERE status <> 'succeeded'
      GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC LIMIT 10`,
  );
  return rows as Array<Record<string, unknown>>;
}

/** A worker's count of successful attempts, from its /metrics. */
export async function succeededAttempts(workerUrl: string): Promise<number> {
  const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
  const match = /data_pusher_delivery_attempts_total\{outcome="succeeded"\} (\d+)/.exec(metrics);
  return Number(match?.[1] ?? 0);
}

/**
 * Sends 300 messages while the sink answers in 30 ms, calls `disrupt` (kill a worker, drop the broker's
 * connections, ...) once 100 requests arrived, then expects every message at every path and nothing left
 * unfinished in the database. Returns how many of those requests were repeats of one already received.
 */
export async function expectNothingLostThrough(
  disrupt: () => Promise<unknown>,
  { client, sink, schema, paths, label }: { client: ScaleOutClient; sink: Sink; schema: TestSchema; paths: string[]; label: string },
): Promise<number> {
  sink.behave(() => ({ status: 200, delayMs: 30 }));
  const before = sink.received.length;
  const sending = client.sendMany(300, label);
  await expectEventually(() => expect(sink.received.length - before).toBeGreaterThan(100), { timeoutMs: 30_000 });
  await disrupt();
  const ids = await sending;
  sink.behave(() => ({ status: 200, delayMs: 5 }));
  await expectEventually(() => expectAllDelivered(sink, ids, paths), { timeoutMs: 60_000, intervalMs: 200 });
  await expectEventually(async () => expect(await unfinishedSummary(schema)).toEqual([]), { timeoutMs: 60_000, intervalMs: 200 });
  const batch = sink.received.slice(before).filter((r) => (JSON.parse(r.body) as { label?: string }).label === label);
  return batch.length - new Set(batch.map((r) => `${String(r.headers['webhook-id'])} ${r.path}`)).size;
}

/**
 * A destination with `rate_limit: 5` gets 15 messages at once: the workers share one budget (through Redis,
 * or PostgreSQL without it), so no sliding second sees more than the rate and the 15 take 2 s or more.
 */
export async function expectRateLimitShared(client: ScaleOutClient, sink: Sink): Promise<void> {
  sink.behave(() => ({ status: 200 }));
  const rated = await client.adminPost('/accounts', { email: `rated-${Date.now()}@example.com`, account_name: 'Rated' });
  await client.adminPost('/destinations', { account_id: rated.account_id, url: `${sink.url}/rated`, http_method: 'POST', headers: {}, rate_limit: 5 });
  const answers = await Promise.all(Array.from({ length: 15 }, (_, n) => client.ingest({ n }, {}, rated.app_secret_token)));
  expect(answers.map((a) => a.status)).toEqual(Array(15).fill(202));
  const arrivals = () => sink.received.filter((r) => r.path === '/rated');
  await expectEventually(() => expect(arrivals()).toHaveLength(15), { timeoutMs: 20_000, intervalMs: 100 });
  // Two workers, one budget: windows of 200 ms with one attempt each, so a sliding second straddles six
  // of them; an attempt may reach the sink a little after its window, hence one more.
  expect(peakRate(arrivals(), 1_000)).toBeLessThanOrEqual(7);
  const times = arrivals().map((r) => r.at);
  expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2_000);
}
