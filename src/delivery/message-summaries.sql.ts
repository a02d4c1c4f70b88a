import { bulk, raw } from 'sql-template-tag';
import { chunks, inList } from '../database/in-list.js';
import { type Dialect, sql, type SqlValue, type SqlWork } from '../database/sql.js';
import type { AttemptStatus } from './delivery-job.js';

interface Counts {
  pending: number;
  succeeded: number;
  failed: number;
}

/**
 * How the delivery counts of messages change in one transaction: every change of a delivery's status (or its
 * deletion) is added here, and `applySummaryChanges` writes them with the message status they add up to.
 */
export class SummaryChanges {
  private readonly byMessage = new Map<string, Counts>();

  /** A delivery of the message went from `from` to `to` (null: created or deleted). */
  add(messageId: string, from: AttemptStatus | null, to: AttemptStatus | null): void {
    if (from === to) return;
    let counts = this.byMessage.get(messageId);
    if (!counts) this.byMessage.set(messageId, (counts = { pending: 0, succeeded: 0, failed: 0 }));
    if (from) counts[from]--;
    if (to) counts[to]++;
  }

  get size(): number {
    return this.byMessage.size;
  }

  entries(): [string, Counts][] {
    return [...this.byMessage].filter(([, c]) => c.pending !== 0 || c.succeeded !== 0 || c.failed !== 0);
  }
}

/**
 * Postgres: takes the rows of these messages for this transaction, always in id order, before any of their
 * deliveries is changed. Two transactions that change deliveries of one message (workers recording, a
 * recover, a purge) then wait for each other instead of each counting without the other's change, and never
 * deadlock. SQLite has one writer at a time and needs nothing.
 */
export function* lockMessages(messageIds: Iterable<string>, dialect: Dialect): SqlWork<void> {
  if (dialect !== 'postgres') return;
  const sorted = [...new Set(messageIds)].sort();
  for (const chunk of chunks(sorted)) {
    yield sql`SELECT id FROM messages WHERE id IN ${inList(chunk)} ORDER BY id FOR UPDATE`;
  }
}

/** Adds the changes to the messages' counts and sets the status they add up to, in one statement per chunk. */
export function* applySummaryChanges(changes: SummaryChanges, dialect: Dialect): SqlWork<void> {
  const pg = dialect === 'postgres';
  const cast = (value: SqlValue, type: string) => (pg ? sql`${value}::${raw(type)}` : sql`${value}`);
  for (const chunk of chunks(changes.entries())) {
    const values = chunk.map(([id, c]) => [cast(id, 'uuid'), cast(c.pending, 'int'), cast(c.succeeded, 'int'), cast(c.failed, 'int')]);
    yield sql`WITH v(id, pending, succeeded, failed) AS (VALUES ${bulk(values, ', ')})
              UPDATE messages
                 SET deliveries_pending = deliveries_pending + v.pending,
                     deliveries_succeeded = deliveries_succeeded + v.succeeded,
                     deliveries_failed = deliveries_failed + v.failed,
                     status = CASE WHEN deliveries_pending + v.pending > 0 THEN 'pending'
                                   WHEN deliveries_failed + v.failed > 0 THEN 'failed'
                                   ELSE 'succeeded' END
                FROM v
               WHERE messages.id = v.id`;
  }
}
