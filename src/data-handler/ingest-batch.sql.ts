import { bulk, empty, join, raw } from 'sql-template-tag';
import { newId } from '../common/ids.js';
import { sha256Hex } from '../common/secrets.js';
import { matchesEventTypes } from '../common/event-types.js';
import { chunks, selectIn } from '../database/in-list.js';
import { type Dialect, sql, type SqlValue, type SqlWork } from '../database/sql.js';

/** How long an Idempotency-Key is remembered per account. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface NewMessage {
  id: string;
  accountId: string;
  payload: string;
  idempotencyKey: string | null;
  /** SHA-256 (hex) of the payload when it has an Idempotency-Key, else null. */
  payloadHash: string | null;
  eventType: string | null;
}

export interface StoredMessage {
  /** The account was deleted between the token check and the commit: nothing was stored. */
  accountGone?: boolean;
  /** The Idempotency-Key was used (within 24 h) with another payload: nothing was stored (409). */
  keyConflict?: boolean;
  messageId: string;
  destinations: number;
  /** The deliveries this call created: empty for a replayed idempotency key. */
  newDeliveryIds: string[];
  /**
   * Destinations whose deliveries are still to be written, in transactions of their own (storeLaterDeliveries):
   * a message to more destinations than one transaction takes.
   */
  laterDestinationIds: string[];
  /** A replayed key whose first message is still being written (or was left half-way): not an answer yet. */
  firstStillStoring?: boolean;
}

const keyOf = (accountId: string, key: string) => `${accountId}\n${key}`;
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
const byKey = (a: NewMessage, b: NewMessage) =>
  compareText(a.accountId, b.accountId) || compareText(a.idempotencyKey ?? '', b.idempotencyKey ?? '') || compareText(a.id, b.id);

/** An enabled destination of a message's account, with the event types it takes (null: every message). */
interface TargetDestination {
  id: string;
  eventTypes: string[] | null;
}

/** The destinations a message goes to: those whose event_types filter takes its type. */
function destinationsFor(destinations: TargetDestination[], eventType: string | null): string[] {
  const ids: string[] = [];
  for (const destination of destinations) if (matchesEventTypes(destination.eventTypes, eventType)) ids.push(destination.id);
  return ids;
}

/** `(account_id = ? AND idempotency_key = ?) OR …` for keyed messages (one chunk). */
function keyMatch(messages: NewMessage[]) {
  return join(
    messages.map((m) => sql`(account_id = ${m.accountId} AND idempotency_key = ${m.idempotencyKey})`),
    ' OR ',
  );
}

/**
 * One pending delivery per destination of each message, written in inserts of at most MAX_LIST rows: few
 * statements for a batch of small fan-outs, and a bounded amount of work between two statements for one big
 * fan-out (the runner may give the event loop a turn between them).
 */
function* insertDeliveries(targets: { messageId: string; destinationIds: string[] }[], now: number): SqlWork<Map<string, string[]>> {
  const idsByMessage = new Map<string, string[]>();
  const rows: SqlValue[][] = [];
  for (const { messageId, destinationIds } of targets) {
    const ids: string[] = [];
    for (const destinationId of destinationIds) {
      const id = newId();
      ids.push(id);
      rows.push([id, messageId, destinationId, 'pending', 0, now, now, now]);
    }
    idsByMessage.set(messageId, ids);
  }
  for (const chunk of chunks(rows)) {
    yield sql`INSERT INTO deliveries (id, message_id, destination_id, status, attempts, next_attempt_at, created_at, updated_at)
              VALUES ${bulk(chunk, ', ')}`;
  }
  return idsByMessage;
}

/**
 * Stores a batch of ingested messages and one pending delivery per enabled destination of each account
 * whose event_types take the message's type, in one transaction (group commit). A message whose
 * Idempotency-Key its account used within 24 h is not stored again: it gets the first message's id, or a
 * conflict when its payload differs from the first's (compared by hash). The unique index on (account_id,
 * idempotency_key) decides races, also between processes; keys older than the window are released first
 * so they can be used again. A message to more than `maxDeliveriesPerMessage` destinations gets none of its
 * deliveries here: they are written afterwards by storeLaterDeliveries.
 */
export function* storeMessages(batch: NewMessage[], now: number, dialect: Dialect, maxDeliveriesPerMessage = Infinity): SqlWork<StoredMessage[]> {
  // Rows read here must stay until the commit: on Postgres, FOR KEY SHARE stops a concurrent delete of the
  // account or destination (on SQLite the work holds the connection, so nothing can interleave).
  const keepRows = dialect === 'postgres' ? raw(' FOR KEY SHARE') : empty;
  const accountRows = yield* selectIn([...new Set(batch.map((m) => m.accountId))], (ids) => sql`SELECT id FROM accounts WHERE id IN ${ids}${keepRows}`);
  const liveAccounts = new Set(accountRows.map((row) => String(row.id)));
  const messages = batch.filter((m) => liveAccounts.has(m.accountId));

  const firstByKey = new Map<string, NewMessage>();
  const toInsert: NewMessage[] = [];
  for (const message of messages) {
    if (message.idempotencyKey === null) {
      toInsert.push(message);
      continue;
    }
    const key = keyOf(message.accountId, message.idempotencyKey);
    if (!firstByKey.has(key)) {
      firstByKey.set(key, message);
      toInsert.push(message);
    }
  }
  // Concurrent batches touch the unique index in one global order, so they wait for each other instead of
  // deadlocking.
  toInsert.sort(byKey);
  const keyed = [...firstByKey.values()].sort(byKey);

  for (const chunk of chunks(keyed)) {
    yield sql`UPDATE messages SET idempotency_key = NULL WHERE received_at <= ${now - IDEMPOTENCY_WINDOW_MS} AND (${keyMatch(chunk)})`;
  }

  const destinationRows = yield* selectIn(
    [...liveAccounts],
    (ids) => sql`SELECT id, account_id, event_types FROM destinations WHERE account_id IN ${ids} AND enabled = ${true}${keepRows}`,
  );
  const destinationsByAccount = new Map<string, TargetDestination[]>();
  for (const row of destinationRows) {
    const list = destinationsByAccount.get(String(row.account_id)) ?? [];
    list.push({ id: String(row.id), eventTypes: row.event_types === null ? null : (JSON.parse(String(row.event_types)) as string[]) });
    destinationsByAccount.set(String(row.account_id), list);
  }
  const targets = new Map(toInsert.map((m) => [m.id, destinationsFor(destinationsByAccount.get(m.accountId) ?? [], m.eventType)]));
  const writtenNow = (destinationIds: string[]) => (destinationIds.length > maxDeliveriesPerMessage ? [] : destinationIds);

  // Each message starts with all its deliveries pending (or, with none, as finished: nothing to send).
  const inserted = new Set<string>();
  for (const chunk of chunks(toInsert)) {
    const rows = chunk.map((m) => {
      const pending = targets.get(m.id)?.length ?? 0;
      const later = pending > maxDeliveriesPerMessage ? pending : 0;
      return [m.id, m.accountId, m.payload, m.idempotencyKey, m.payloadHash, m.eventType, now, pending > 0 ? 'pending' : 'succeeded', pending, later];
    });
    const { rows: insertedRows } = yield sql`INSERT INTO messages (id, account_id, payload, idempotency_key, payload_hash, event_type, received_at, status, deliveries_pending, deliveries_to_create)
                               VALUES ${bulk(rows, ', ')}
                               ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id`;
    for (const row of insertedRows) inserted.add(String(row.id));
  }

  // Keys that lost to an earlier message: answer with that message. A message stored before payload hashes
  // were kept has none: its payload is hashed here instead, for the rest of its 24 h.
  const existingByKey = new Map<string, string>();
  const hashByKey = new Map(keyed.filter((m) => inserted.has(m.id)).map((m) => [keyOf(m.accountId, m.idempotencyKey as string), m.payloadHash]));
  for (const chunk of chunks(keyed.filter((m) => !inserted.has(m.id)))) {
    const { rows } = yield sql`SELECT id, account_id, idempotency_key, payload_hash, CASE WHEN payload_hash IS NULL THEN payload END AS payload
                                 FROM messages WHERE ${keyMatch(chunk)}`;
    for (const row of rows) {
      const key = keyOf(String(row.account_id), String(row.idempotency_key));
      existingByKey.set(key, String(row.id));
      hashByKey.set(key, row.payload_hash === null ? sha256Hex(String(row.payload)) : String(row.payload_hash));
    }
  }

  const deliveryIdsByMessage = yield* insertDeliveries(
    toInsert.filter((m) => inserted.has(m.id)).map((m) => ({ messageId: m.id, destinationIds: writtenNow(targets.get(m.id) ?? []) })),
    now,
  );

  const replayedCounts = new Map<string, number>();
  const stillStoring = new Set<string>();
  const countRows = yield* selectIn(
    [...new Set(existingByKey.values())],
    (ids) => sql`SELECT id, deliveries_pending + deliveries_succeeded + deliveries_failed AS n, deliveries_to_create FROM messages WHERE id IN ${ids}`,
  );
  for (const row of countRows) {
    replayedCounts.set(String(row.id), Number(row.n));
    if (Number(row.deliveries_to_create) > 0) stillStoring.add(String(row.id));
  }

  return batch.map((message): StoredMessage => {
    if (!liveAccounts.has(message.accountId)) return { accountGone: true, messageId: '', destinations: 0, newDeliveryIds: [], laterDestinationIds: [] };
    const newDeliveryIds = deliveryIdsByMessage.get(message.id);
    const all = targets.get(message.id) ?? [];
    if (newDeliveryIds) return { messageId: message.id, destinations: all.length, newDeliveryIds, laterDestinationIds: all.length > maxDeliveriesPerMessage ? all : [] };
    const key = keyOf(message.accountId, message.idempotencyKey as string);
    const firstHash = hashByKey.get(key);
    if (firstHash !== undefined && firstHash !== message.payloadHash) return { keyConflict: true, messageId: '', destinations: 0, newDeliveryIds: [], laterDestinationIds: [] };
    const first = firstByKey.get(key) as NewMessage;
    if (inserted.has(first.id)) {
      const firstTargets = targets.get(first.id) ?? [];
      return { messageId: first.id, destinations: firstTargets.length, newDeliveryIds: [], laterDestinationIds: [], firstStillStoring: firstTargets.length > maxDeliveriesPerMessage };
    }
    const messageId = existingByKey.get(key) as string;
    return { messageId, destinations: replayedCounts.get(messageId) ?? 0, newDeliveryIds: [], laterDestinationIds: [], firstStillStoring: stillStoring.has(messageId) };
  });
}

/**
 * Writes more deliveries of a message stored with `deliveries_to_create` left: one transaction per call, so a
 * message to 10,000 destinations never holds the database (SQLite: the process's one connection) for long.
 * A destination deleted since the message was accepted gets none, and leaves the message's counts. Returns
 * the new deliveries' ids.
 */
export function* storeLaterDeliveries(messageId: string, destinationIds: string[], now: number, dialect: Dialect): SqlWork<string[]> {
  const pg = dialect === 'postgres';
  const cast = (value: SqlValue, type: string) => (pg ? sql`${value}::${raw(type)}` : sql`${value}`);
  const ids: string[] = [];
  for (const chunk of chunks(destinationIds)) {
    const values = chunk.map((destinationId) => [cast(newId(), 'uuid'), cast(destinationId, 'uuid')]);
    const { rows } = yield sql`WITH v(id, destination_id) AS (VALUES ${bulk(values, ', ')})
       INSERT INTO deliveries (id, message_id, destination_id, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT v.id, ${cast(messageId, 'uuid')}, v.destination_id, 'pending', 0, ${cast(now, 'bigint')}, ${cast(now, 'bigint')}, ${cast(now, 'bigint')}
         FROM v JOIN destinations t ON t.id = v.destination_id
       RETURNING id`;
    for (const row of rows) ids.push(String(row.id));
  }
  const gone = destinationIds.length - ids.length;
  yield sql`UPDATE messages
               SET deliveries_to_create = deliveries_to_create - ${destinationIds.length},
                   deliveries_pending = deliveries_pending - ${gone},
                   status = CASE WHEN deliveries_pending - ${gone} > 0 THEN 'pending' WHEN deliveries_failed > 0 THEN 'failed' ELSE 'succeeded' END
             WHERE id = ${messageId}`;
  return ids;
}
