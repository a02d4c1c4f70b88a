import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryQueue } from './delivery-queue.js';
import { redisConnectionOptions } from './redis-connection.js';

export const DELIVERY_QUEUE = 'deliveries';

/** A job says "these deliveries are due"; the worker that takes it reads everything else from the database. */
export interface DueDeliveriesJob {
  deliveryIds: string[];
}

/**
 * BullMQ on Redis: an api process adds one job per committed batch and any worker process takes it, which
 * wakes that worker's scheduler. Jobs are done as soon as they are taken: what is due, leased and in what
 * order lives in the database, and workers also poll it, so a flushed Redis loses nothing.
 */
export class BullDeliveryQueue extends DeliveryQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(BullDeliveryQueue.name);
  private readonly queue: Queue<DueDeliveriesJob>;
  private worker: Worker<DueDeliveriesJob> | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    super();
    this.queue = new Queue(DELIVERY_QUEUE, {
      connection: redisConnectionOptions(redisUrl),
      prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length) await this.queue.add('due', { deliveryIds });
  }

  async consume(listener: () => Promise<void>): Promise<void> {
    this.worker = new Worker<DueDeliveriesJob>(DELIVERY_QUEUE, async () => void listener(), {
      connection: redisConnectionOptions(this.redisUrl),
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
      const client = (await Promise.race([this.queue.client, timeout])) as unknown as Redis;
      await Promise.race([client.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
