import { Injectable, Logger } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { SqlRunner } from '../database/sql.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';
import { type NewMessage, type StoredMessage, storeMessages } from './ingest-batch.sql.js';

interface PendingIngest {
  message: NewMessage;
  resolve: (stored: StoredMessage) => void;
  reject: (error: unknown) => void;
}

/** Enough to amortise a commit; small enough that one batch's SQL stays quick. */
const MAX_BATCH = 256;
/** Postgres commits in parallel on pooled connections; SQLite commits are synchronous anyway. */
const MAX_CONCURRENT_COMMITS = 4;

/**
 * Accepts messages with group commit: every ingest that arrives while the event loop is busy joins one
 * transaction, and each caller is answered only after that transaction committed. One fsync (or one
 * Postgres round-trip series) then serves many requests.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private waiting: PendingIngest[] = [];
  private flushScheduled = false;
  private commitsInFlight = 0;

  constructor(
    private readonly sql: SqlRunner,
    private readonly queue: DeliveryQueue,
  ) {}

  accept(accountId: string, payload: string, idempotencyKey: string | null): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message: { id: newId(), accountId, payload, idempotencyKey }, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length && this.commitsInFlight < MAX_CONCURRENT_COMMITS) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.commitsInFlight++;
      void this.commit(batch).finally(() => {
        this.commitsInFlight--;
        if (this.waiting.length) this.scheduleFlush();
      });
    }
  }

  private async commit(batch: PendingIngest[]): Promise<void> {
    let stored: StoredMessage[];
    try {
      const messages = batch.map((item) => item.message);
      stored = await this.sql.transaction(() => storeMessages(messages, Date.now(), this.sql.dialect));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => item.resolve(stored[index]));
    const deliveryIds = stored.flatMap((s) => s.newDeliveryIds);
    if (deliveryIds.length) {
      // Already durable: if this hand-off fails, the worker's sweep of due deliveries still finds them.
      this.queue.enqueue(deliveryIds).catch((error: unknown) => {
        this.logger.warn(`Could not enqueue ${deliveryIds.length} deliveries now; the sweep will pick them up: ${String(error)}`);
      });
    }
  }
}
