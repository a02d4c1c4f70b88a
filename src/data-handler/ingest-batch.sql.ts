import { newId } from '../common/ids.js';
import { type Dialect, placeholders, type SqlValue, type SqlWork, statement } from '../database/sql.js';

/** How long an Idempotency-Key is remembered per account. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const ROWS_PER_INSERT = 500;

export interface NewMessage {
  id: string;
  accountId: string;
  payload: string;
  idempotencyKey: string | null;
}

export interface StoredMessage {
  /** The account was deleted between the token check and the commit: nothing was stored. */
  accountGone?: boolean;
  messageId: string;
  destinations: number;
  /** The deliveries this call created: empty for a replayed idempotency key. */
  newDeliveryIds: string[];
}

const keyOf = (accountId: string, key: string) => `${accountId}\n${key}`;
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
const byKey = (a: NewMessage, b: NewMessage) =>
  compareText(a.accountId, b.accountId) || compareText(a.idempotencyKey ?? '', b.idempotencyKey ?? '') || compareText(a.id, b.id);

function orEach<T>(items: T[], clause: string, params: (item: T) => SqlValue[]): { text: string; params: SqlValue[] } {
  return { text: items.map(() => `(${clause})`).join(' OR '), params: items.flatMap(params) };
}

function* insertRows(table: string, columns: string[], rows: SqlValue[][], suffix = ''): SqlWork<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(chunk.length, columns.length)} ${suffix}`;
    const result = yield statement(text, chunk.flat());
    for (const row of result.rows) inserted.add(String(row.id));
  }
  return inserted;
}

/**
 * Stores a batch of ingested messages and one pending delivery per destination of each account, in one
 * transaction (group commit). A message whose Idempotency-Key its account used within 24 h is not stored
 * again: it gets the first message's id. The unique index on (account_id, idempotency_key) decides races,
 * also between processes; keys older than the window are released first so they can be used again.
 */
export function* storeMessages(batch: NewMessage[], now: number, dialect: Dialect): SqlWork<StoredMessage[]> {
  // Rows read here must stay until the commit: on Postgres, FOR KEY SHARE stops a concurrent delete of the
  // account or destination (SQLite runs the whole work synchronously, so nothing can interleave).
  const keepRows = dialect === 'postgres' ? ' FOR KEY SHARE' : '';
  const accountIds = [...new Set(batch.map((m) => m.accountId))];
  const { rows: accountRows } = yield statement(
    `SELECT id FROM accounts WHERE id IN (${accountIds.map(() => '?').join(', ')})${keepRows}`,
    accountIds,
  );
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

  if (keyed.length) {
    const match = orEach(keyed, 'account_id = ? AND idempotency_key = ?', (m) => [m.accountId, m.idempotencyKey]);
    yield statement(`UPDATE messages SET idempotency_key = NULL WHERE received_at <= ? AND (${match.text})`, [
      now - IDEMPOTENCY_WINDOW_MS,
      ...match.params,
    ]);
  }

  const inserted = yield* insertRows(
    'messages',
    ['id', 'account_id', 'payload', 'idempotency_key', 'received_at'],
    toInsert.map((m) => [m.id, m.accountId, m.payload, m.idempotencyKey, now]),
    'ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id',
  );

  // Keys that lost to an earlier message: answer with that message.
  const existingByKey = new Map<string, string>();
  const replayed = keyed.filter((m) => !inserted.has(m.id));
  if (replayed.length) {
    const match = orEach(replayed, 'account_id = ? AND idempotency_key = ?', (m) => [m.accountId, m.idempotencyKey]);
    const { rows } = yield statement(`SELECT id, account_id, idempotency_key FROM messages WHERE ${match.text}`, match.params);
    for (const row of rows) existingByKey.set(keyOf(String(row.account_id), String(row.idempotency_key)), String(row.id));
  }

  const liveIds = [...liveAccounts];
  const { rows: destinationRows } = liveIds.length
    ? yield statement(
        `SELECT id, account_id FROM destinations WHERE account_id IN (${liveIds.map(() => '?').join(', ')}) AND ${dialect === 'postgres' ? 'enabled' : 'enabled = 1'}${keepRows}`,
        liveIds,
      )
    : { rows: [] };
  const destinationsByAccount = new Map<string, string[]>();
  for (const row of destinationRows) {
    const list = destinationsByAccount.get(String(row.account_id)) ?? [];
    list.push(String(row.id));
    destinationsByAccount.set(String(row.account_id), list);
  }

  const deliveryIdsByMessage = new Map<string, string[]>();
  const deliveryRows: SqlValue[][] = [];
  for (const message of toInsert) {
    if (!inserted.has(message.id)) continue;
    const ids = (destinationsByAccount.get(message.accountId) ?? []).map((destinationId) => {
      const id = newId();
      deliveryRows.push([id, message.id, destinationId, 'pending', 0, now, now, now]);
      return id;
    });
    deliveryIdsByMessage.set(message.id, ids);
  }
  yield* insertRows(
    'deliveries',
    ['id', 'message_id', 'destination_id', 'status', 'attempts', 'next_attempt_at', 'created_at', 'updated_at'],
    deliveryRows,
  );

  const replayedCounts = new Map<string, number>();
  const replayedIds = [...new Set(existingByKey.values())];
  if (replayedIds.length) {
    const { rows } = yield statement(
      `SELECT message_id, COUNT(*) AS n FROM deliveries WHERE message_id IN (${replayedIds.map(() => '?').join(', ')}) GROUP BY message_id`,
      replayedIds,
    );
    for (const row of rows) replayedCounts.set(String(row.message_id), Number(row.n));
  }

  return batch.map((message) => {
    if (!liveAccounts.has(message.accountId)) return { accountGone: true, messageId: '', destinations: 0, newDeliveryIds: [] };
    const newDeliveryIds = deliveryIdsByMessage.get(message.id);
    if (newDeliveryIds) return { messageId: message.id, destinations: newDeliveryIds.length, newDeliveryIds };
    const key = keyOf(message.accountId, message.idempotencyKey as string);
    const first = firstByKey.get(key) as NewMessage;
    const messageId = inserted.has(first.id) ? first.id : (existingByKey.get(key) as string);
    const destinations = inserted.has(first.id) ? (deliveryIdsByMessage.get(first.id)?.length ?? 0) : (replayedCounts.get(messageId) ?? 0);
    return { messageId, destinations, newDeliveryIds: [] };
  });
}
