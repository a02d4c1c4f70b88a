/**
 * Where committed deliveries go to be sent: the one swap point between the embedded mode (the database
 * polled in-process) and the scale-out mode (BullMQ on Redis). The database stays the source of truth in
 * both: the queue only says "look at these now"; losing a queue entry delays a delivery, never loses it.
 */
export abstract class DeliveryQueue {
  /** The deliveries just committed as pending and due now. Called after the commit, never before. */
  abstract enqueue(deliveryIds: string[]): Promise<void>;

  /** Resolves when the queue's backend answers (for /health); throws otherwise. */
  abstract ping(): Promise<void>;
}
