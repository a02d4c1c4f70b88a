import { DeliveryQueue } from './delivery-queue.js';

/**
 * The embedded queue: a call within this process. Ingest and the scheduler share the main thread, so an
 * enqueue wakes the scheduler at once; processes that deliver from the same PostgreSQL database without
 * Redis find the deliveries at their next poll.
 */
export class EmbeddedDeliveryQueue extends DeliveryQueue {
  private readonly listeners: Array<() => Promise<void>> = [];

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length) for (const listener of this.listeners) void listener();
  }

  async consume(listener: () => Promise<void>): Promise<void> {
    this.listeners.push(listener);
  }

  /** The embedded queue is the database, which /health checks already. */
  async ping(): Promise<void> {}
}
