import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { MicroBatcher } from '../common/micro-batcher.js';
import { sha256Hex } from '../common/secrets.js';
import { groupByWeight } from '../common/weighted-groups.js';
import { chunks, inList } from '../database/in-list.js';
import { sql, SqlRunner } from '../database/sql.js';
import { DeliveryHistory } from '../delivery/delivery-history.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';
import { type NewMessage, type StoredMessage, storeLaterDeliveries, storeMessages } from './ingest-batch.sql.js';
import type { IngestInput } from './ingest-headers.js';
import { IDEMPOTENCY_CONFLICT, STILL_STORING } from './ingest-request.js';

/**
 * Delivery rows one transaction may create. A transaction holds SQLite's write lock (and the process's
 * connection) until it commits, some 10–20 ms for this many: many messages to few destinations share one, and
 * a message to more destinations than this is stored in several (the answer waits for all of them).
 */
const MAX_DELIVERIES_PER_TRANSACTION = 1_000;
/**
 * Payload (in UTF-16 code units, about bytes for JSON) one transaction may carry: the whole transaction sits
 * in SQLite's write-ahead log until its checkpoint, and 256 messages of 1 MB would otherwise put 256 MB in it
 * (the log is to stay under 64 MB; see data-source-options.ts).
 */
const MAX_PAYLOAD_PER_TRANSACTION = 16 * 1024 * 1024;

/**
 * Accepts messages with group commit: every ingest that arrives while the event loop is busy joins one
 * transaction, and each caller is answered only after that transaction committed. One commit (or one
 * Postgres round-trip series) then serves many requests. Postgres commits up to four batches in parallel
 * on pooled connections; on SQLite they take turns.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly batches = new MicroBatcher<NewMessage, StoredMessage>((messages) => this.commit(messages), {
    maxBatch: 256,
    maxConcurrent: 4,
  });

  constructor(
    private readonly sql: SqlRunner,
    private readonly queue: DeliveryQueue,
    private readonly history: DeliveryHistory,
  ) {}

  async accept(accountId: string, { payload, idempotencyKey, eventType }: IngestInput): Promise<StoredMessage> {
    // Hashed here, on the request's own turn, not inside the batch's transaction.
    const payloadHash = idempotencyKey === null ? null : sha256Hex(payload);
    const stored = await this.batches.submit({ id: newId(), accountId, payload, idempotencyKey, payloadHash, eventType });
    if (stored.keyConflict) throw new ConflictException(IDEMPOTENCY_CONFLICT);
    // Answering with that message now could promise one that is never complete (if its ingest fails).
    if (stored.firstStillStoring) throw new ConflictException(STILL_STORING);
    // Outside the batch: the other messages of the batch are answered without waiting for these steps.
    if (stored.laterDestinationIds.length) await this.storeLater(stored);
    return stored;
  }

  private async commit(messages: NewMessage[]): Promise<StoredMessage[]> {
    const destinations = await this.destinationCounts(messages);
    const groups = groupByWeight(messages, (m) => 1 + (destinations.get(m.accountId) ?? 0), MAX_DELIVERIES_PER_TRANSACTION).flatMap(
      (group) => groupByWeight(group, (m) => m.payload.length, MAX_PAYLOAD_PER_TRANSACTION),
    );
    const stored: StoredMessage[] = [];
    for (const group of groups) {
      const committed = await this.sql.transaction(() => storeMessages(group, Date.now(), this.sql.dialect, MAX_DELIVERIES_PER_TRANSACTION));
      this.enqueue(committed.flatMap((s) => s.newDeliveryIds));
      stored.push(...committed);
    }
    return stored;
  }

  /**
   * The rest of a big fan-out, one transaction per MAX_DELIVERIES_PER_TRANSACTION; their deliveries go out
   * as they commit. If this fails half-way, the caller gets the error and the half-stored message is removed
   * (the client was never told it was accepted, and its retry must not find the key taken); if even that
   * fails (a full disk), MessageRetention removes it later.
   */
  private async storeLater(message: StoredMessage): Promise<void> {
    try {
      for (const destinationIds of chunks(message.laterDestinationIds, MAX_DELIVERIES_PER_TRANSACTION)) {
        const ids = await this.sql.transaction(() => storeLaterDeliveries(message.messageId, destinationIds, Date.now(), this.sql.dialect));
        this.enqueue(ids);
        message.newDeliveryIds.push(...ids);
        message.destinations -= destinationIds.length - ids.length;
      }
    } catch (error) {
      await this.history.removeHalfStored(message.messageId).catch(() => undefined);
      throw error;
    }
    message.laterDestinationIds = [];
  }

  /** How many deliveries a message of each account creates: the weight that splits a batch. */
  private async destinationCounts(messages: NewMessage[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const accounts of chunks([...new Set(messages.map((m) => m.accountId))])) {
      const { rows } = await this.sql.execute(
        sql`SELECT account_id, COUNT(*) AS n FROM destinations WHERE account_id IN ${inList(accounts)} GROUP BY account_id`,
      );
      for (const row of rows) counts.set(String(row.account_id), Number(row.n));
    }
    return counts;
  }

  private enqueue(deliveryIds: string[]): void {
    if (!deliveryIds.length) return;
    // Already durable: if this hand-off fails, the workers' poll of the database still finds them.
    this.queue.enqueue(deliveryIds).catch((error: unknown) => {
      this.logger.warn(`Could not enqueue ${deliveryIds.length} deliveries now; the workers' poll will find them: ${String(error)}`);
    });
  }
}
