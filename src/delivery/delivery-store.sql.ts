import { bulk, join, raw } from 'sql-template-tag';
import { newId } from '../common/ids.js';
import { chunks, inList } from '../database/in-list.js';
import { parseRetrySchedule } from '../config/retry-schedule.js';
import { type Dialect, type Row, sql, type SqlValue, type SqlWork } from '../database/sql.js';
import type { AttemptResult, AttemptStatus, DeliveryJob } from './delivery-job.js';
import { applySummaryChanges, lockMessages, SummaryChanges } from './message-summaries.sql.js';

/** What the database keeps of one finished attempt. */
export interface AttemptRecord {
  job: DeliveryJob;
  result: AttemptResult;
  at: number;
  status: AttemptStatus;
  nextAttemptAt: number | null;
}

/** An enabled destination with pending deliveries, and when its first one that is not leased is due. */
export interface PendingDestination {
  destinationId: string;
  accountId: string;
  maxInFlight: number | null;
  rateLimit: number | null;
  /** Null when every pending delivery of it is leased (in flight somewhere). */
  dueAt: number | null;
}

const isEnabled = (dialect: Dialect) => raw(dialect === 'postgres' ? 't.enabled' : 't.enabled = 1');

/**
 * Every enabled destination that has pending deliveries, found by skipping through the pending-deliveries
 * index one destination at a time (a loose index scan): the cost grows with the number of destinations, not
 * with the backlog, so 3,000 deliveries waiting for one destination cost one index step.
 */
export function* findPendingDestinations(now: number, dialect: Dialect): SqlWork<PendingDestination[]> {
  const { rows } = yield sql`WITH RECURSIVE pending(destination_id) AS (
       SELECT (SELECT destination_id FROM deliveries WHERE status = 'pending' ORDER BY destination_id LIMIT 1)
       UNION ALL
       SELECT (SELECT d.destination_id FROM deliveries d
                WHERE d.status = 'pending' AND d.destination_id > p.destination_id
                ORDER BY d.destination_id LIMIT 1)
         FROM pending p WHERE p.destination_id IS NOT NULL
     )
     SELECT t.id, t.account_id, t.max_in_flight, t.rate_limit,
            (SELECT MIN(d.next_attempt_at) FROM deliveries d
              WHERE d.status = 'pending' AND d.destination_id = t.id
                AND (d.leased_until IS NULL OR d.leased_until <= ${now})) AS due_at
       FROM pending p JOIN destinations t ON t.id = p.destination_id
      WHERE ${isEnabled(dialect)}`;
  return rows.map((row) => ({
    destinationId: String(row.id),
    accountId: String(row.account_id),
    maxInFlight: row.max_in_flight === null ? null : Number(row.max_in_flight),
    rateLimit: row.rate_limit === null ? null : Number(row.rate_limit),
    dueAt: row.due_at === null ? null : Number(row.due_at),
  }));
}

/** What an attempt needs; each earlier signing secret only while its own rotation overlap lasts. */
const jobColumns = (now: number) =>
  sql`d.id, d.message_id, d.destination_id, d.attempts, d.schedule_start, m.payload, m.event_type, t.account_id, t.url, t.http_method, t.headers, t.signing_secret, t.retry_schedule,
      CASE WHEN t.previous_secret_expires_at > ${now} THEN t.previous_signing_secret END AS previous_signing_secret,
      CASE WHEN t.older_secret_expires_at > ${now} THEN t.older_signing_secret END AS older_signing_secret`;
const JOB_JOINS = raw(`JOIN messages m ON m.id = d.message_id JOIN destinations t ON t.id = d.destination_id`);

function toJob(row: Row, leasedUntil: number): DeliveryJob {
  return {
    deliveryId: String(row.id),
    messageId: String(row.message_id),
    destinationId: String(row.destination_id),
    accountId: String(row.account_id),
    attemptsMade: Number(row.attempts),
    scheduleStart: Number(row.schedule_start),
    // Validated when written; a value that no longer parses falls back to the server's schedule.
    retryScheduleMs: row.retry_schedule === null ? null : parseRetrySchedule(String(row.retry_schedule)),
    leasedUntil,
    url: String(row.url),
    httpMethod: String(row.http_method),
    headersJson: String(row.headers),
    signingSecret: String(row.signing_secret),
    previousSigningSecrets: [row.previous_signing_secret, row.older_signing_secret].filter((secret) => secret !== null).map(String),
    payload: String(row.payload),
    eventType: row.event_type === null ? null : String(row.event_type),
  };
}

/** Destinations claimed by one SQLite statement (a compound select of one term each). */
const CLAIM_DESTINATIONS_PER_STATEMENT = 100;

/** How many deliveries to lease for each destination. */
export type ClaimPlan = ReadonlyMap<string, number>;

/**
 * Leases, for each destination of the plan, up to its number of pending deliveries that are due and not
 * leased, oldest due first, and loads what their attempts need. The lease outlives an attempt's time limit,
 * so a slow attempt is never sent twice at once, and it expires on its own, so a crashed worker's deliveries
 * come back. Postgres claimers skip each other's rows; SQLite runs the work as one synchronous transaction.
 */
export function* claimDeliveries(plan: ClaimPlan, now: number, leasedUntil: number, dialect: Dialect): SqlWork<DeliveryJob[]> {
  if (!plan.size) return [];
  if (dialect === 'postgres') {
    // The plan is at most one claim's worth of destinations (the worker's free slots), passed as two arrays.
    const { rows } = yield sql`WITH wanted AS (
         SELECT * FROM unnest(string_to_array(${[...plan.keys()].join(',')}, ',')::uuid[],
                              string_to_array(${[...plan.values()].join(',')}, ',')::int[]) AS w(destination_id, n)
       ), claimed AS (
         UPDATE deliveries SET leased_until = ${leasedUntil}
          WHERE id IN (
            SELECT c.id FROM wanted w CROSS JOIN LATERAL (
              SELECT id FROM deliveries
               WHERE status = 'pending' AND destination_id = w.destination_id AND next_attempt_at <= ${now}
                 AND (leased_until IS NULL OR leased_until <= ${now})
               ORDER BY next_attempt_at LIMIT w.n FOR UPDATE SKIP LOCKED) c)
          RETURNING id, message_id, destination_id, attempts, schedule_start
       )
       SELECT ${jobColumns(now)} FROM claimed d ${JOB_JOINS}`;
    return rows.map((row) => toJob(row, leasedUntil));
  }
  // One statement per run of destinations: each destination's picks are a LIMITed walk of the
  // pending-deliveries index, joined with UNION ALL (SQLite allows at most 500 terms in a compound select).
  const ids: string[] = [];
  for (const part of chunks([...plan], CLAIM_DESTINATIONS_PER_STATEMENT)) {
    const picks = part.map(
      ([destinationId, count]) => sql`SELECT id FROM (
          SELECT id FROM deliveries
           WHERE status = 'pending' AND destination_id = ${destinationId} AND next_attempt_at <= ${now}
             AND (leased_until IS NULL OR leased_until <= ${now})
           ORDER BY next_attempt_at LIMIT ${count})`,
    );
    const { rows } = yield sql`UPDATE deliveries SET leased_until = ${leasedUntil} WHERE id IN (${join(picks, ' UNION ALL ')}) RETURNING id`;
    for (const row of rows) ids.push(String(row.id));
  }
  const jobs: DeliveryJob[] = [];
  for (const chunk of chunks(ids)) {
    const { rows } = yield sql`SELECT ${jobColumns(now)} FROM deliveries d ${JOB_JOINS} WHERE d.id IN ${inList(chunk)}`;
    for (const row of rows) jobs.push(toJob(row, leasedUntil));
  }
  return jobs;
}

/** Postgres text cannot hold NUL, and a destination's answer may be binary. */
function storableText(value: string | null): string | null {
  return value === null ? null : value.replace(/\u0000/g, '\uFFFD');
}

/**
 * Writes a batch of finished attempts: one UPDATE for the deliveries' new states (fenced on the lease each
 * attempt held, so an attempt whose lease expired and was claimed again records nothing), the delivery
 * counts of their messages, one INSERT for their history, and the failing-since mark of their destinations
 * (for auto-disable).
 */
export function* recordAttempts(records: AttemptRecord[], now: number, dialect: Dialect): SqlWork<number> {
  const pg = dialect === 'postgres';
  const recorded = new Set<string>();
  const summaries = new SummaryChanges();
  yield* lockMessages(records.map(({ job }) => job.messageId), dialect);
  for (const chunk of chunks(records)) {
    const cast = (value: SqlValue, type: string) => (pg ? sql`${value}::${raw(type)}` : sql`${value}`);
    const values = chunk.map(({ job, result, status, nextAttemptAt }) => [
      cast(job.deliveryId, 'uuid'),
      status,
      cast(job.attemptsMade + 1, 'int'),
      cast(nextAttemptAt, 'bigint'),
      cast(result.statusCode, 'int'),
      storableText(result.error),
      cast(job.leasedUntil, 'bigint'),
    ]);
    const { rows } = yield sql`WITH v(id, status, attempts, next_attempt_at, last_status_code, last_error, leased_until) AS (
         VALUES ${bulk(values, ', ')}
       )
       UPDATE deliveries
          SET status = v.status, attempts = v.attempts, next_attempt_at = v.next_attempt_at, leased_until = NULL,
              last_status_code = v.last_status_code, last_error = v.last_error, updated_at = ${now}
         FROM v
        WHERE deliveries.id = v.id AND deliveries.leased_until = v.leased_until AND deliveries.status = 'pending'
       RETURNING deliveries.id, deliveries.message_id, deliveries.status`;
    for (const row of rows) {
      recorded.add(String(row.id));
      summaries.add(String(row.message_id), 'pending', row.status as AttemptStatus);
    }
  }
  yield* applySummaryChanges(summaries, dialect);

  const history = records
    .filter(({ job }) => recorded.has(job.deliveryId))
    .map(({ job, result, at }): SqlValue[] => [
      newId(),
      job.deliveryId,
      job.attemptsMade + 1,
      at,
      result.statusCode,
      result.durationMs,
      storableText(result.error),
      storableText(result.responseBody),
    ]);
  for (const chunk of chunks(history)) {
    yield sql`INSERT INTO delivery_attempts (id, delivery_id, attempt, at, status_code, duration_ms, error, response_body)
              VALUES ${bulk(chunk, ', ')}`;
  }

  yield* markFailing(records, now);
  return history.length;
}

/**
 * A destination is failing from its first failed attempt after a success until its next success. Only
 * changes are written (a destination's row is touched when its state flips, not on every attempt).
 */
function* markFailing(records: AttemptRecord[], now: number): SqlWork<void> {
  const succeeded = new Set<string>();
  const failed = new Map<string, number>();
  for (const { job, result, at } of records) {
    if (result.error === null && result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) succeeded.add(job.destinationId);
    else if (!failed.has(job.destinationId)) failed.set(job.destinationId, at);
  }
  for (const id of succeeded) failed.delete(id);
  for (const chunk of chunks([...succeeded])) {
    yield sql`UPDATE destinations SET failing_since = NULL WHERE failing_since IS NOT NULL AND id IN ${inList(chunk)}`;
  }
  for (const [id, at] of failed) {
    yield sql`UPDATE destinations SET failing_since = ${Math.min(at, now)} WHERE failing_since IS NULL AND id = ${id}`;
  }
}
