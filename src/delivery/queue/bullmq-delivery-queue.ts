import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DeliveryQueue, type DueDeliveriesJob } from './delivery-queue.js';

export const DELIVERY_QUEUE = 'deliveries';

/**
 * BullMQ on Redis: an api process adds one job per committed batch and any worker process takes it, which
 * wakes that worker's scheduler. Jobs are done as soon as they are taken: what is due, leased and in what
 * order lives in the database, and workers also poll it, so a flushed Redis loses nothing.
 */
export class BullDeliveryQueue extends DeliveryQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(BullDeliveryQueue.name);
  private readonly queue: Queue<DueDeliveriesJob>;
  private worker: Worker<DueDeliveriesJob> | undefined;
  /** Connections handed to BullMQ, which leaves closing them to us. */
  private readonly connections: Redis[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    super();
    this.queue = new Queue(DELIVERY_QUEUE, {
      connection: this.connect(),
      prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /**
   * ioredis reads the URL itself (user, password, database number, rediss: for TLS). BullMQ's connections
   * block on Redis: their commands wait for a reconnect instead of failing.
   */
  private connect(): Redis {
    const connection = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    this.connections.push(connection);
    return connection;
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length) await this.queue.add('due', { deliveryIds });
  }

  async consume(listener: () => Promise<void>): Promise<void> {
    this.worker = new Worker<DueDeliveriesJob>(DELIVERY_QUEUE, async () => void listener(), {
      connection: this.connect(),
      prefix: this.prefix,
      concurrency: 8,
    });
    this.worker.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /** Fails after 2 s: with Redis down, commands wait for the reconnect instead of failing. */
  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2_000);
    });
    try {
      await Promise.race([this.connections[0].ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }
}
