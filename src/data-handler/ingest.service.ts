import { Injectable, Logger } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { MicroBatcher } from '../common/micro-batcher.js';
import { SqlRunner } from '../database/sql.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';
import { type NewMessage, type StoredMessage, storeMessages } from './ingest-batch.sql.js';

/**
 * Accepts messages with group commit: every ingest that arrives while the event loop is busy joins one
 * transaction, and each caller is answered only after that transaction committed. One commit (or one
 * Postgres round-trip series) then serves many requests. Postgres commits up to four batches in parallel
 * on pooled connections; SQLite commits are synchronous anyway.
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
  ) {}

  accept(accountId: string, payload: string, idempotencyKey: string | null): Promise<StoredMessage> {
    return this.batches.submit({ id: newId(), accountId, payload, idempotencyKey });
  }

  private async commit(messages: NewMessage[]): Promise<StoredMessage[]> {
    const stored = await this.sql.transaction(() => storeMessages(messages, Date.now(), this.sql.dialect));
    const deliveryIds = stored.flatMap((s) => s.newDeliveryIds);
    if (deliveryIds.length) {
      // Already durable: if this hand-off fails, the worker's sweep of due deliveries still finds them.
      this.queue.enqueue(deliveryIds).catch((error: unknown) => {
        this.logger.warn(`Could not enqueue ${deliveryIds.length} deliveries now; the sweep will pick them up: ${String(error)}`);
      });
    }
    return stored;
  }
}
