/**
 * What every queue carries: "these deliveries are due". Whoever takes it reads everything else from the
 * database.
 */
export interface DueDeliveriesJob {
  deliveryIds: string[];
}

/**
 * The one swap point between the embedded mode (this process only) and the scale-out modes (BullMQ on Redis,
 * RabbitMQ).
 * A queue carries "deliveries are due" from whoever committed them to the processes that deliver; it decides
 * nothing. The database is the source of truth and decides what is due and in what order (fairness, rate
 * limits, leases), so every implementation gets the same guarantees from the same scheduler; a lost queue
 * entry only delays a delivery until the next poll.
 */
export abstract class DeliveryQueue {
  /** The deliveries just committed as pending and due now. Called after the commit, never before. */
  abstract enqueue(deliveryIds: string[]): Promise<void>;

  /**
   * For a delivering process: `listener` is called whenever enqueued deliveries may be waiting; it resolves
   * once the database was read and what this process could take was claimed (a queue with acks acks then).
   */
  abstract consume(listener: () => Promise<void>): Promise<void>;

  /** Resolves when the queue's backend answers (for /health); throws otherwise. */
  abstract ping(): Promise<void>;
}
