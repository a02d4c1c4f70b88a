import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BroadcastChannel } from 'node:worker_threads';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DeliveryProcessor } from '../delivery-processor.js';
import { DeliveryRecorder } from '../delivery-recorder.js';
import { DeliveryQueue } from './delivery-queue.js';

const WAKE_CHANNEL = 'data-pusher:new-deliveries';

/** How often the database is swept for due retries and expired leases. */
export const POLL_INTERVAL_MS = 500;

/**
 * The embedded queue: the database itself, claimed by an in-process worker. New deliveries wake the worker
 * at once; the poll finds due retries and the deliveries of a process that died (expired leases); a timer
 * set for the earliest retry this worker scheduled makes short retry delays exact. Timers are only hints:
 * what is due is always read from the database, so a restart loses nothing.
 */
@Injectable()
export class EmbeddedDeliveryQueue extends DeliveryQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EmbeddedDeliveryQueue.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly unrecorded = new Set<Promise<void>>();
  private running = false;
  /** The claim loop running now, if any: shutdown waits for it so no claimed delivery goes untracked. */
  private pumping: Promise<void> | null = null;
  /** Set when more may be due than the last claim took. */
  private moreDue = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryTimerAt = Infinity;
  private readonly minimumClaim: number;
  /** Wake-ups between the threads of one process: ingest on the main thread, delivery on its own. */
  private otherThreads: BroadcastChannel | undefined;

  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly recorder: DeliveryRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.minimumClaim = Math.max(1, Math.floor(config.workerConcurrency / 4));
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') {
      this.otherThreads = new BroadcastChannel(WAKE_CHANNEL);
      this.otherThreads.unref();
      return;
    }
    if (this.config.role === 'worker') {
      // A delivery thread (see delivery-thread.ts) is woken by its main thread's ingests.
      this.otherThreads = new BroadcastChannel(WAKE_CHANNEL);
      this.otherThreads.unref();
      this.otherThreads.onmessage = () => this.wake();
    }
    this.running = true;
    this.pollTimer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
    this.wake();
  }

  async enqueue(): Promise<void> {
    if (this.config.role === 'api') this.otherThreads?.postMessage('wake');
    else this.wake();
  }

  /** The embedded queue is the database, which /health checks already. */
  async ping(): Promise<void> {}

  /** Stops claiming, lets attempts in flight finish (each bounded by DELIVERY_TIMEOUT_MS), commits them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.otherThreads?.close();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.pumping;
    if (this.inFlight.size) this.logger.log(`Waiting for ${this.inFlight.size} deliveries in flight`);
    await Promise.allSettled([...this.inFlight]);
    await this.recorder.flush();
    await Promise.allSettled([...this.unrecorded]);
  }

  private wake(): void {
    this.moreDue = true;
    void this.pump();
  }

  private pump(): Promise<void> {
    if (this.pumping || !this.running) return this.pumping ?? Promise.resolve();
    this.pumping = this.claimWhileDue().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private async claimWhileDue(): Promise<void> {
    try {
      while (this.running && this.moreDue) {
        const free = this.config.workerConcurrency - this.inFlight.size;
        // Claim in batches: one claim per finished attempt would cost a transaction per delivery.
        if (free <= 0 || (this.inFlight.size > 0 && free < this.minimumClaim)) return;
        this.moreDue = false;
        const jobs = await this.processor.claimDue(free);
        if (jobs.length === free) this.moreDue = true;
        for (const job of jobs) this.track(job);
      }
    } catch (error) {
      this.logger.error(`Claiming due deliveries failed; retrying at the next poll: ${String(error)}`);
    }
  }

  private track(job: Parameters<DeliveryProcessor['attempt']>[0]): void {
    const attempt = this.processor
      .attempt(job)
      .then((outcome) => {
        // The slot is free once the HTTP exchange is over; the record commits in the background and the
        // lease covers the delivery until it has.
        const recorded = outcome.recorded
          .then(() => {
            if (outcome.nextAttemptAt !== null) this.wakeAt(outcome.nextAttemptAt);
          })
          .catch((error: unknown) => {
            // The lease expires and the delivery is claimed again: nothing is lost, only delayed.
            this.logger.error(`Recording an attempt failed; it will be retried when its lease expires: ${String(error)}`);
          })
          .finally(() => this.unrecorded.delete(recorded));
        this.unrecorded.add(recorded);
      })
      .catch((error: unknown) => this.logger.error(`Delivery attempt crashed: ${String(error)}`))
      .finally(() => {
        this.inFlight.delete(attempt);
        if (this.moreDue) void this.pump();
      });
    this.inFlight.add(attempt);
  }

  private wakeAt(at: number): void {
    if (!this.running || at >= this.retryTimerAt || at - Date.now() > POLL_INTERVAL_MS * 4) return;
    clearTimeout(this.retryTimer);
    this.retryTimerAt = at;
    this.retryTimer = setTimeout(() => {
      this.retryTimerAt = Infinity;
      this.wake();
    }, Math.max(0, at - Date.now()));
    this.retryTimer.unref();
  }
}
