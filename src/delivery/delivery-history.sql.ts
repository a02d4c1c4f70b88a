import { empty, raw } from 'sql-template-tag';
import { chunks, inList } from '../database/in-list.js';
import { type Dialect, type Row, sql, type SqlWork } from '../database/sql.js';
import type { AttemptStatus } from './delivery-job.js';
import { applySummaryChanges, lockMessages, SummaryChanges } from './message-summaries.sql.js';

/**
 * The most deliveries (each with its attempts) one step deletes or changes. A step is one transaction: on
 * SQLite it holds the one connection, and so everything else (ingest, /health), for a few milliseconds.
 */
export const STEP_DELIVERIES = 250;
/** The most messages one step looks at. */
const STEP_MESSAGES = 200;

/** What one deleting step removed. */
export interface Deleted {
  messages: number;
  deliveries: number;
}

const NOTHING: Deleted = { messages: 0, deliveries: 0 };

const TOTAL = raw('deliveries_pending + deliveries_succeeded + deliveries_failed');

/**
 * Deletes some of the given messages with their deliveries and attempts: the first ones whose deliveries add
 * up to at most `limit` (at least one message). Their deliveries go first, at most `limit` of them, and the
 * messages once none is left, so a message with more deliveries than one step takes spans several steps.
 * The foreign keys cascade from a delivery to its attempts.
 */
function* deleteMessages(candidates: Row[], limit: number): SqlWork<Deleted> {
  const ids: string[] = [];
  let deliveries = 0;
  for (const row of candidates) {
    if (ids.length && deliveries + Number(row.n) > limit) break;
    ids.push(String(row.id));
    deliveries += Number(row.n);
  }
  const { changes } = yield sql`DELETE FROM deliveries WHERE id IN (
      SELECT id FROM deliveries WHERE message_id IN ${inList(ids)} LIMIT ${limit})`;
  // Fewer than counted: more are left (the statement stopped at its limit). The last ones go with their
  // messages, in the same step.
  if (changes >= limit && changes < deliveries) return { messages: 0, deliveries: changes };
  const { changes: messages } = yield sql`DELETE FROM messages WHERE id IN ${inList(ids)}`;
  return { messages, deliveries: changes };
}

/**
 * One step of the retention purge: finished messages (no pending delivery) received before `cutoff`, oldest
 * first. On Postgres one process purges at a time (a transaction-scoped advisory lock, per schema: several
 * deployments may share a database); the others find it taken and return null.
 */
export function* purgeStep(cutoff: number, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<Deleted | null> {
  const pg = dialect === 'postgres';
  if (pg) {
    const { rows } = yield sql`SELECT pg_try_advisory_xact_lock(hashtext('data-pusher retention ' || current_schema())) AS purging`;
    if (!rows[0]?.purging) return null;
  }
  const { rows } = yield sql`SELECT id, ${TOTAL} AS n FROM messages
     WHERE status <> 'pending' AND received_at < ${cutoff}
     ORDER BY received_at LIMIT ${STEP_MESSAGES}${pg ? raw(' FOR UPDATE SKIP LOCKED') : empty}`;
  return rows.length ? yield* deleteMessages(rows, limit) : NOTHING;
}

/**
 * One step of removing messages whose ingest stopped half-way (deliveries still to be written, received
 * before `cutoff`): the client never got its 202, so nothing of them was promised.
 */
export function* abandonedIngestStep(cutoff: number, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<Deleted> {
  const { rows } = yield sql`SELECT id, ${TOTAL} AS n FROM messages
     WHERE deliveries_to_create > 0 AND received_at < ${cutoff}
     ORDER BY received_at LIMIT ${STEP_MESSAGES}${dialect === 'postgres' ? raw(' FOR UPDATE SKIP LOCKED') : empty}`;
  return rows.length ? yield* deleteMessages(rows, limit) : NOTHING;
}

/** One step of removing one message whose ingest failed half-way (if it is still incomplete). */
export function* halfStoredMessageStep(messageId: string, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<Deleted> {
  const { rows } = yield sql`SELECT id, ${TOTAL} AS n FROM messages
     WHERE id = ${messageId} AND deliveries_to_create > 0${dialect === 'postgres' ? raw(' FOR UPDATE') : empty}`;
  return rows.length ? yield* deleteMessages(rows, limit) : NOTHING;
}

/**
 * One step of deleting an account's history: its messages up to `lastId` (the newest when the deletion
 * began: ingest cannot make it endless), in id order.
 */
export function* deleteAccountMessagesStep(accountId: string, lastId: string, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<Deleted> {
  const { rows } = yield sql`SELECT id, ${TOTAL} AS n FROM messages
     WHERE account_id = ${accountId} AND id <= ${lastId}
     ORDER BY id LIMIT ${STEP_MESSAGES}${dialect === 'postgres' ? raw(' FOR UPDATE') : empty}`;
  return rows.length ? yield* deleteMessages(rows, limit) : NOTHING;
}

/**
 * One step of deleting a destination's deliveries (with their attempts), taking them off their messages'
 * counts. Returns how many it deleted.
 */
export function* deleteDestinationDeliveriesStep(destinationId: string, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<number> {
  const { rows } = yield sql`SELECT id, message_id FROM deliveries WHERE destination_id = ${destinationId} LIMIT ${limit}`;
  if (!rows.length) return 0;
  yield* lockMessages(rows.map((row) => String(row.message_id)), dialect);
  const summaries = new SummaryChanges();
  let deleted = 0;
  for (const chunk of chunks(rows.map((row) => String(row.id)))) {
    // The status as deleted: a worker may have recorded an attempt since the select.
    const { rows: gone } = yield sql`DELETE FROM deliveries WHERE id IN ${inList(chunk)} RETURNING message_id, status`;
    for (const row of gone) summaries.add(String(row.message_id), row.status as AttemptStatus, null);
    deleted += gone.length;
  }
  yield* applySummaryChanges(summaries, dialect);
  return deleted;
}

/**
 * The last step of deleting a destination: whatever deliveries are left (an ingest that read the
 * destination before it was disabled may have added a few), then the destination. Postgres: the row lock
 * waits for such an ingest to commit first.
 */
export function* deleteDestinationRow(destinationId: string, dialect: Dialect): SqlWork<boolean> {
  if (dialect === 'postgres') yield sql`SELECT id FROM destinations WHERE id = ${destinationId} FOR UPDATE`;
  while ((yield* deleteDestinationDeliveriesStep(destinationId, dialect)) > 0);
  const { changes } = yield sql`DELETE FROM destinations WHERE id = ${destinationId}`;
  return changes > 0;
}

/** What a failed delivery becomes again: pending, due now, with no lease. */
const revived = (now: number) => sql`status = 'pending', next_attempt_at = ${now}, leased_until = NULL, updated_at = ${now}`;

/**
 * One step of a message's retry: up to `limit` of its failed deliveries, in id order after `after` (a delivery
 * that fails again meanwhile is not taken twice), become pending. Returns the ids it looked at and changed.
 */
export function* retryMessageStep(messageId: string, after: string | null, now: number, dialect: Dialect, limit = STEP_DELIVERIES): SqlWork<string[]> {
  yield* lockMessages([messageId], dialect);
  const { rows } = yield sql`UPDATE deliveries SET ${revived(now)}
     WHERE status = 'failed' AND id IN (
       SELECT id FROM deliveries WHERE message_id = ${messageId} AND status = 'failed' ${after === null ? empty : sql`AND id > ${after}`}
        ORDER BY id LIMIT ${limit})
     RETURNING id`;
  const summaries = new SummaryChanges();
  for (let i = 0; i < rows.length; i++) summaries.add(messageId, 'failed', 'pending');
  yield* applySummaryChanges(summaries, dialect);
  return rows.map((row) => String(row.id)).sort();
}

/**
 * One step of a destination's recover: its failed deliveries of messages received at or after `since`, in id
 * order after `after` (so that every one is seen once), become pending with the retry schedule from its start.
 * Returns the ids it looked at (the last one is where the next step starts) and the ones it made pending.
 */
export function* recoverStep(
  destinationId: string,
  since: number,
  after: string | null,
  now: number,
  dialect: Dialect,
  limit = STEP_DELIVERIES,
): SqlWork<{ seen: string[]; recovered: string[] }> {
  const { rows } = yield sql`SELECT d.id, d.message_id FROM deliveries d JOIN messages m ON m.id = d.message_id
     WHERE d.destination_id = ${destinationId} AND d.status = 'failed' AND m.received_at >= ${since}
       ${after === null ? empty : sql`AND d.id > ${after}`}
     ORDER BY d.id LIMIT ${limit}`;
  const seen = rows.map((row) => String(row.id));
  if (!seen.length) return { seen, recovered: [] };
  yield* lockMessages(rows.map((row) => String(row.message_id)), dialect);
  const summaries = new SummaryChanges();
  const recovered: string[] = [];
  for (const chunk of chunks(seen)) {
    const { rows: changed } = yield sql`UPDATE deliveries SET ${revived(now)}, schedule_start = attempts
       WHERE id IN ${inList(chunk)} AND status = 'failed' RETURNING id, message_id`;
    for (const row of changed) {
      recovered.push(String(row.id));
      summaries.add(String(row.message_id), 'failed', 'pending');
    }
  }
  yield* applySummaryChanges(summaries, dialect);
  return { seen, recovered };
}

/** How many failed deliveries one step of counting a recover reads: small rows (an id and a time). */
export const COUNT_STEP_DELIVERIES = 1000;

/**
 * One step of counting what a recover would take (its dry run): the destination's failed deliveries after
 * `after` in id order, read through the failed partial index, each with its message's arrival. So the whole
 * count reads the destination's failed deliveries, never the history. Returns the last id it read (null when
 * there was none) and how many of them are of messages received at or after `since`.
 */
export function* countRecoverableStep(
  destinationId: string,
  since: number,
  after: string | null,
  limit = COUNT_STEP_DELIVERIES,
): SqlWork<{ last: string | null; read: number; recoverable: number }> {
  const { rows } = yield sql`SELECT d.id, m.received_at FROM deliveries d JOIN messages m ON m.id = d.message_id
     WHERE d.destination_id = ${destinationId} AND d.status = 'failed' ${after === null ? empty : sql`AND d.id > ${after}`}
     ORDER BY d.id LIMIT ${limit}`;
  const recoverable = rows.filter((row) => Number(row.received_at) >= since).length;
  return { last: rows.length ? String(rows[rows.length - 1].id) : null, read: rows.length, recoverable };
}
