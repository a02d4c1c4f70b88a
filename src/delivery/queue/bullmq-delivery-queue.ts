import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryQueue } from './delivery-queue.js';

export const DELIVERY_QUEUE = 'deliveries';

/** A job carries the delivery id only: the worker reads everything else, fresh, from the database. */
export interface DeliveryJobData {
  deliveryId: string;
}

/** Thrown by the worker to have BullMQ run the job again after the delay the database decided. */
export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`next attempt in ${delayMs} ms`);
  }
}

/** BullMQ's custom backoff: the delay comes from our retry policy (schedule, jitter, Retry-After). */
export function retryDelayFromError(_attemptsMade: number, _type?: string, error?: Error): number {
  return error instanceof RetryLater ? error.delayMs : 1_000;
}

/** jobId = delivery id, so adding a delivery that already has a job is a no-op (sweeps are idempotent). */
export function deliveryJobOptions(deliveryId: string): JobsOptions {
  return {
    jobId: deliveryId,
    // The database decides when to give up; BullMQ only has to keep retrying until told to stop.
    attempts: 1_000_000,
    backoff: { type: 'custom' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

@Injectable()
export class BullDeliveryQueue extends DeliveryQueue {
  constructor(@InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>) {
    super();
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (!deliveryIds.length) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({ name: 'deliver', data: { deliveryId }, opts: deliveryJobOptions(deliveryId) })),
    );
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

  jobCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  }
}
