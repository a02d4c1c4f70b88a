import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DeliveryProcessor } from '../delivery-processor.js';
import { DeliveryRecorder } from '../delivery-recorder.js';
import { DELIVERY_QUEUE, type DeliveryJobData, RetryLater, retryDelayFromError } from './bullmq-delivery-queue.js';

/**
 * A BullMQ worker for deliveries. It starts only once the application is ready (autorun off), runs
 * WORKER_CONCURRENCY jobs at a time, and on shutdown lets active jobs finish before closing.
 */
@Processor(DELIVERY_QUEUE, { autorun: false, settings: { backoffStrategy: retryDelayFromError } })
export class BullDeliveryWorker extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly recorder: DeliveryRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
    // A job's lock is renewed while it runs, so it need not outlast an attempt; a short one means the jobs
    // of a worker that died go back to the queue within seconds rather than BullMQ's default 30 s.
    const lockMs = Math.max(5_000, this.config.deliveryTimeoutMs);
    this.worker.opts.lockDuration = lockMs;
    this.worker.opts.stalledInterval = lockMs;
    void this.worker.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
    await this.recorder.flush();
  }

  async process(job: Job<DeliveryJobData>): Promise<void> {
    const { deliveryId } = job.data;
    const claimed = await this.processor.claim(deliveryId);
    if (!claimed) {
      // Done already (a stale or repeated job): nothing to do. Leased by a worker that may have died, or not
      // due yet: come back then; if the attempt was recorded meanwhile, the claim finds what is next.
      const waitMs = await this.processor.msUntilClaimable(deliveryId);
      if (waitMs !== null) throw new RetryLater(waitMs + 100);
      return;
    }
    const outcome = await this.processor.attempt(claimed);
    await outcome.recorded;
    if (outcome.status === 'pending' && outcome.nextAttemptAt !== null) {
      throw new RetryLater(Math.max(0, outcome.nextAttemptAt - Date.now()));
    }
  }
}
