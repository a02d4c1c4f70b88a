import { newId } from '../common/ids.js';
import { type Dialect, placeholders, type Row, type SqlValue, type SqlWork, type Statement, statement } from '../database/sql.js';
import type { HttpMethod } from '../destinations/entities/destination.entity.js';
import type { DeliveryStatus } from '../messages/entities/delivery.entity.js';
import type { AttemptResult, DeliveryJob } from './delivery-job.js';

/** What the database keeps of one finished attempt. */
export interface AttemptRecord {
  job: DeliveryJob;
  result: AttemptResult;
  at: number;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
}

const JOB_COLUMNS = `d.id, d.message_id, d.attempts, m.payload, t.url, t.http_method, t.headers, t.signing_secret`;
const JOB_JOINS = `JOIN messages m ON m.id = d.message_id JOIN destinations t ON t.id = d.destination_id`;

function toJob(row: Row, leasedUntil: number): DeliveryJob {
  return {
    deliveryId: String(row.id),
    messageId: String(row.message_id),
    attemptsMade: Number(row.attempts),
    leasedUntil,
    url: String(row.url),
    httpMethod: String(row.http_method) as HttpMethod,
    headers: JSON.parse(String(row.headers)) as Record<string, string>,
    signingSecret: String(row.signing_secret),
    payload: String(row.payload),
  };
}

function* loadJobs(ids: string[], leasedUntil: number): SqlWork<DeliveryJob[]> {
  if (!ids.length) return [];
  const { rows } = yield statement(
    `SELECT ${JOB_COLUMNS} FROM deliveries d ${JOB_JOINS} WHERE d.id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  return rows.map((row) => toJob(row, leasedUntil));
}

/** Postgres claims and loads in one statement (one round trip, no explicit transaction). */
function* claimWithReturningJoin(lease: Statement, leasedUntil: number): SqlWork<DeliveryJob[]> {
  const { rows } = yield statement(
    `WITH d0 AS (${lease.text.replace('RETURNING id', 'RETURNING id, message_id, destination_id, attempts')})
     SELECT ${JOB_COLUMNS} FROM d0 d ${JOB_JOINS}`,
    lease.params,
  );
  return rows.map((row) => toJob(row, leasedUntil));
}

/**
 * Leases up to `limit` pending deliveries that are due and not leased by a live attempt, oldest due first.
 * The lease outlives an attempt's time limit, so a slow attempt is never sent twice at once, and it expires
 * on its own, so a crashed worker's deliveries come back. Postgres claimers skip each other's rows.
 */
export function* claimDueDeliveries(limit: number, now: number, leasedUntil: number, dialect: Dialect): SqlWork<DeliveryJob[]> {
  const skipLocked = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const lease = statement(
    `UPDATE deliveries SET leased_until = ?
      WHERE id IN (
        SELECT id FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
         ORDER BY next_attempt_at
         LIMIT ?${skipLocked})
      RETURNING id`,
    [leasedUntil, now, now, limit],
  );
  if (dialect === 'postgres') return yield* claimWithReturningJoin(lease, leasedUntil);
  const { rows } = yield lease;
  return yield* loadJobs(
    rows.map((row) => String(row.id)),
    leasedUntil,
  );
}

/**
 * Leases the named deliveries that are still pending, due and not leased (queue jobs carry only ids; the
 * jobs that arrive together are claimed together).
 */
export function* claimDeliveries(ids: string[], now: number, leasedUntil: number, dialect: Dialect): SqlWork<DeliveryJob[]> {
  const lease = statement(
    `UPDATE deliveries SET leased_until = ?
      WHERE id IN (${ids.map(() => '?').join(', ')})
        AND status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
      RETURNING id`,
    [leasedUntil, ...ids, now, now],
  );
  if (dialect === 'postgres') return yield* claimWithReturningJoin(lease, leasedUntil);
  const { rows } = yield lease;
  return yield* loadJobs(
    rows.map((row) => String(row.id)),
    leasedUntil,
  );
}

/** Postgres text cannot hold NUL, and a destination's answer may be binary. */
function storableText(value: string | null): string | null {
  return value === null ? null : value.replace(/\u0000/g, '\uFFFD');
}

export function* recordAttempts(records: AttemptRecord[], now: number): SqlWork<number> {
  const history: SqlValue[][] = [];
  for (const { job, result, at, status, nextAttemptAt } of records) {
    const { changes } = yield statement(
      `UPDATE deliveries
          SET status = ?, attempts = ?, next_attempt_at = ?, leased_until = NULL,
              last_status_code = ?, last_error = ?, updated_at = ?
        WHERE id = ? AND leased_until = ?`,
      [status, job.attemptsMade + 1, nextAttemptAt, result.statusCode, storableText(result.error), now, job.deliveryId, job.leasedUntil],
    );
    if (changes) {
      history.push([
        newId(),
        job.deliveryId,
        job.attemptsMade + 1,
        at,
        result.statusCode,
        result.durationMs,
        storableText(result.error),
        storableText(result.responseBody),
      ]);
    }
  }
  const columns = ['id', 'delivery_id', 'attempt', 'at', 'status_code', 'duration_ms', 'error', 'response_body'];
  for (let start = 0; start < history.length; start += 500) {
    const chunk = history.slice(start, start + 500);
    yield statement(`INSERT INTO delivery_attempts (${columns.join(', ')}) VALUES ${placeholders(chunk.length, columns.length)}`, chunk.flat());
  }
  return history.length;
}
