import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { inBackground } from '../../common/background.js';
import { isStorageFull } from '../../common/storage-full.js';
import { SqlRunner } from '../../database/sql.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { AttemptResult, AttemptStatus, DeliveryJob } from '../delivery-job.js';
import { DeliveryRecorder } from '../delivery-recorder.js';
import { claimDeliveries, findPendingDestinations, type PendingDestination } from '../delivery-store.sql.js';
import { DeliveryQueue } from '../queue/delivery-queue.js';
import { nextRetryDelayMs } from '../retry-policy.js';
import { DeliverySender } from '../sending/delivery-sender.js';
import { DestinationRateLimiter } from './destination-rate-limiter.js';
import { type DueDestination, shareSlots } from './fair-share.js';

/** How often the database is read for due retries, expired leases and deliveries another process committed. */
export const POLL_INTERVAL_MS = 500;
/**
 * An attempt that has waited this long for its answer stops counting against the worker's slots: a hanging
 * destination costs a socket, not a slot that other accounts need.
 */
export const SLOW_ATTEMPT_MS = 400;
/** Sockets per active slot: how many slow attempts may wait at once, beside the active ones. */
const SOCKETS_PER_SLOT = 16;

interface InFlight {
  job: DeliveryJob;
  startedAt: number;
  slow: boolean;
}

/**
 * The delivery loop of a worker, top to bottom: find the destinations with due deliveries → share the free
 * slots fairly between accounts and their destinations (max_in_flight, rate_limit) → claim (lease) exactly
 * that many → send → record → schedule the next attempt. Every queue implementation only wakes it.
 * Claims never run ahead of what can be sent now, so a crash re-sends at most what was in flight.
 */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryScheduler.name);
  /** Longer than any attempt can take, so a lease only expires when its worker is gone. */
  private readonly leaseMs: number;
  private readonly maxSockets: number;

  private running = false;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly attempts = new Set<Promise<void>>();
  private active = 0;
  private readonly activeByAccount = new Map<string, number>();
  private readonly inFlightByDestination = new Map<string, number>();

  /** The destinations with pending deliveries, as last read; null: read again before the next claim. */
  private pending: PendingDestination[] | null = null;
  /** Where the next round starts in `pending`, so that every destination gets to be first in turn. */
  private rotation = 0;
  private pumping: Promise<void> | null = null;
  private again = false;
  private pumpSoon = false;
  /** Wake-ups from the queue waiting for the end of the claim round that follows them. */
  private readonly roundWaiters: Array<() => void> = [];

  private pollTimer: NodeJS.Timeout | undefined;
  private slowTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueTimerAt = Infinity;

  constructor(
    private readonly sql: SqlRunner,
    private readonly sender: DeliverySender,
    private readonly recorder: DeliveryRecorder,
    private readonly queue: DeliveryQueue,
    private readonly rateLimiter: DestinationRateLimiter,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.leaseMs = config.deliveryTimeoutMs * 2 + 5_000;
    this.maxSockets = config.workerConcurrency * SOCKETS_PER_SLOT;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.queue.consume(() => this.wakeFromQueue());
    this.pollTimer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
    this.wake();
  }

  /** Stops claiming, lets attempts in flight finish (each bounded by DELIVERY_TIMEOUT_MS), commits them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearInterval(this.slowTimer);
    clearTimeout(this.dueTimer);
    await this.pumping;
    if (this.inFlight.size) this.logger.log(`Waiting for ${this.inFlight.size} deliveries in flight`);
    await Promise.allSettled([...this.attempts]);
    await this.recorder.flush();
    await this.sender.stop();
  }

  /** Deliveries may be due that this worker has not seen: read the database again. */
  wake(): void {
    this.pending = null;
    // Not in the caller's turn: an ingest's commit answers its clients first.
    this.pumpAfterThisTurn();
  }

  /**
   * wake(), resolved when a claim round that began after it has ended (never once shutdown began): a queue
   * with acks acks its message then, when the database holds the leases of what this worker could take.
   */
  private wakeFromQueue(): Promise<void> {
    const roundEnded = new Promise<void>((resolve) => this.roundWaiters.push(resolve));
    this.wake();
    return roundEnded;
  }

  private pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.claimWhileDue().finally(() => {
      this.pumping = null;
      if (this.again && this.running) this.pump();
    });
  }

  private freeSlots(): number {
    return Math.min(this.config.workerConcurrency - this.active, this.maxSockets - this.inFlight.size);
  }

  private async claimWhileDue(): Promise<void> {
    // Only these saw a whole round; later ones wait for the next (at the latest, the next poll's).
    const waiting = this.roundWaiters.length;
    try {
      do {
        this.again = false;
        if (this.freeSlots() <= 0) return;
        const now = Date.now();
        this.pending ??= await this.sql.run(() => findPendingDestinations(now, this.sql.dialect));
        const due = this.dueDestinations(now);
        if (!due.length) return;
        const plan = await this.rateLimiter.admit(
          shareSlots({ free: this.freeSlots(), capacity: this.config.workerConcurrency, activeByAccount: this.activeByAccount, due }),
          this.pending,
        );
        const release = this.rateLimiter.nextRelease();
        if (release !== null) this.wakeAt(release);
        if (!plan.size) return;
        const jobs = await this.sql.run(() => claimDeliveries(plan, now, now + this.leaseMs, this.sql.dialect));
        this.rotation++;
        this.forgetDrained(plan, jobs);
        for (const job of jobs) this.start(job);
        // A destination that gave all that was asked may have more: go on while slots are free.
        if (jobs.length) this.again = true;
      } while (this.again && this.running);
    } catch (error) {
      // A full disk is warned about once by StorageStatus, not at every poll.
      if (!isStorageFull(error)) this.logger.error(`Claiming due deliveries failed; retrying at the next poll: ${String(error)}`);
    } finally {
      for (const resolve of this.roundWaiters.splice(0, waiting)) resolve();
    }
  }

  /** The pending destinations that are due now and may take another attempt, in this round's order. */
  private dueDestinations(now: number): DueDestination[] {
    const pending = this.pending ?? [];
    const due: DueDestination[] = [];
    let nextDueAt = Infinity;
    for (let step = 0; step < pending.length; step++) {
      const destination = pending[(this.rotation + step) % pending.length];
      if (destination.dueAt === null) continue;
      if (destination.dueAt > now) {
        nextDueAt = Math.min(nextDueAt, destination.dueAt);
        continue;
      }
      const limit = destination.maxInFlight ?? this.config.destinationMaxInFlight;
      const room = limit - (this.inFlightByDestination.get(destination.destinationId) ?? 0);
      if (room > 0 && !this.rateLimiter.isHeld(destination.destinationId, now)) {
        due.push({ destinationId: destination.destinationId, accountId: destination.accountId, room });
      }
    }
    if (nextDueAt < Infinity) this.wakeAt(nextDueAt);
    return due;
  }

  /** A destination that gave fewer deliveries than asked has no more due now: skip it until the next read. */
  private forgetDrained(plan: ReadonlyMap<string, number>, jobs: DeliveryJob[]): void {
    const claimed = new Map<string, number>();
    for (const job of jobs) claimed.set(job.destinationId, (claimed.get(job.destinationId) ?? 0) + 1);
    for (const destination of this.pending ?? []) {
      const asked = plan.get(destination.destinationId);
      if (asked !== undefined && (claimed.get(destination.destinationId) ?? 0) < asked) destination.dueAt = null;
    }
  }

  private start(job: DeliveryJob): void {
    this.inFlight.set(job.deliveryId, { job, startedAt: Date.now(), slow: false });
    this.active++;
    this.activeByAccount.set(job.accountId, (this.activeByAccount.get(job.accountId) ?? 0) + 1);
    this.inFlightByDestination.set(job.destinationId, (this.inFlightByDestination.get(job.destinationId) ?? 0) + 1);
    this.watchSlowAttempts();
    const attempt = this.sender
      .send(job)
      .then((result) => this.finish(job, result))
      .catch((error: unknown) => this.logger.error(`Delivery attempt crashed: ${String(error)}`))
      .finally(() => this.attempts.delete(attempt));
    this.attempts.add(attempt);
  }

  private finish(job: DeliveryJob, result: AttemptResult): void {
    const entry = this.inFlight.get(job.deliveryId);
    this.inFlight.delete(job.deliveryId);
    if (entry && !entry.slow) this.release(job.accountId);
    const left = (this.inFlightByDestination.get(job.destinationId) ?? 1) - 1;
    if (left > 0) this.inFlightByDestination.set(job.destinationId, left);
    else this.inFlightByDestination.delete(job.destinationId);

    const next = this.nextState(job, result);
    const failed = next.status !== 'succeeded';
    this.metrics.deliveryAttempts.inc({ outcome: failed ? (next.status === 'failed' ? 'failed' : 'retry') : 'succeeded' });
    this.metrics.attemptDuration.observe(result.durationMs / 1000);
    // The slot is free once the HTTP exchange is over; the lease covers the delivery until its record commits.
    this.recorder
      .record({ job, result, at: entry?.startedAt ?? Date.now(), ...next })
      .then(() => {
        if (next.nextAttemptAt !== null) this.wakeAt(next.nextAttemptAt);
      })
      .catch((error: unknown) => {
        // The lease expires and the delivery is claimed again: nothing is lost, only delayed.
        if (!isStorageFull(error)) this.logger.error(`Recording an attempt failed; it will be retried when its lease expires: ${String(error)}`);
      });
    this.pumpAfterThisTurn();
  }

  /**
   * Attempts that end together free their slots together: one claim for all of them, not one each. Every
   * wake-up comes through here, also one from inside a request (an ingest's enqueue, a retry): the delivery
   * loop runs in the process's own context, so its timers, attempts and log lines belong to no request.
   */
  private pumpAfterThisTurn(): void {
    if (this.pumpSoon) return;
    this.pumpSoon = true;
    inBackground(() =>
      setImmediate(() => {
        this.pumpSoon = false;
        this.pump();
      }),
    );
  }

  private release(accountId: string): void {
    this.active--;
    const left = (this.activeByAccount.get(accountId) ?? 1) - 1;
    if (left > 0) this.activeByAccount.set(accountId, left);
    else this.activeByAccount.delete(accountId);
  }

  private nextState(job: DeliveryJob, result: AttemptResult): { status: AttemptStatus; nextAttemptAt: number | null } {
    if (result.error === null && result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
      return { status: 'succeeded', nextAttemptAt: null };
    }
    if (result.permanent) return { status: 'failed', nextAttemptAt: null };
    const delay = nextRetryDelayMs(job.retryScheduleMs ?? this.config.retryScheduleMs, job.attemptsMade + 1 - job.scheduleStart, { retryAfterMs: result.retryAfterMs });
    return delay === null ? { status: 'failed', nextAttemptAt: null } : { status: 'pending', nextAttemptAt: Date.now() + delay };
  }

  /** Attempts waiting longer than SLOW_ATTEMPT_MS give their slot back (they keep their socket). */
  private watchSlowAttempts(): void {
    if (this.slowTimer) return;
    this.slowTimer = setInterval(() => {
      const before = Date.now() - SLOW_ATTEMPT_MS;
      let freed = 0;
      for (const entry of this.inFlight.values()) {
        if (entry.slow || entry.startedAt > before) continue;
        entry.slow = true;
        this.release(entry.job.accountId);
        freed++;
      }
      if (freed) this.pump();
      if (!this.inFlight.size) {
        clearInterval(this.slowTimer);
        this.slowTimer = undefined;
      }
    }, SLOW_ATTEMPT_MS / 4);
    this.slowTimer.unref();
  }

  /** A timer for the earliest retry or rate-limit release this worker knows of; the poll covers the rest. */
  private wakeAt(at: number): void {
    if (!this.running || at >= this.dueTimerAt || at - Date.now() > POLL_INTERVAL_MS * 4) return;
    clearTimeout(this.dueTimer);
    this.dueTimerAt = at;
    this.dueTimer = setTimeout(
      () => {
        this.dueTimerAt = Infinity;
        this.wake();
      },
      Math.max(0, at - Date.now()),
    );
    this.dueTimer.unref();
  }
}
