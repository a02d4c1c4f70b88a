import { Inject, Injectable } from '@nestjs/common';
import { MicroBatcher } from '../common/micro-batcher.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SqlRunner, statement } from '../database/sql.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { DeliveryStatus } from '../messages/entities/delivery.entity.js';
import { DeliveryAttemptError, DeliveryDispatcher } from './delivery-dispatcher.js';
import type { AttemptResult, DeliveryJob } from './delivery-job.js';
import { DeliveryRecorder } from './delivery-recorder.js';
import { claimDeliveries, claimDueDeliveries } from './delivery-store.sql.js';
import { nextRetryDelayMs } from './retry-policy.js';

export interface AttemptOutcome {
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  /** Settles when the attempt is committed to the database. */
  recorded: Promise<void>;
}

/**
 * The delivery loop, top to bottom: claim → send → record → schedule the next attempt. Both queue
 * implementations drive it; neither sends or records anything itself.
 */
@Injectable()
export class DeliveryProcessor {
  /** Longer than any attempt can take, so a lease only expires when its worker is gone. */
  readonly leaseMs: number;

  constructor(
    private readonly sql: SqlRunner,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly recorder: DeliveryRecorder,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.leaseMs = config.deliveryTimeoutMs * 2 + 5_000;
  }

  claimDue(limit: number): Promise<DeliveryJob[]> {
    const now = Date.now();
    return this.sql.run(() => claimDueDeliveries(limit, now, now + this.leaseMs, this.sql.dialect));
  }

  /** Claims one delivery by id; the claims of concurrent queue jobs share one statement. */
  claim(deliveryId: string): Promise<DeliveryJob | null> {
    return this.claims.submit(deliveryId);
  }

  private readonly claims = new MicroBatcher<string, DeliveryJob | null>(async (ids) => {
    const now = Date.now();
    const unique = [...new Set(ids)];
    const jobs = await this.sql.run(() => claimDeliveries(unique, now, now + this.leaseMs, this.sql.dialect));
    const byId = new Map(jobs.map((job) => [job.deliveryId, job]));
    // A repeated id gets its job once: the other callers find it claimed, as they would one by one.
    return ids.map((id) => {
      const job = byId.get(id) ?? null;
      byId.delete(id);
      return job;
    });
  });

  /**
   * For a delivery that could not be claimed: how long until it could be (leased by another attempt, or its
   * next attempt not due yet); null when it is no longer pending.
   */
  async msUntilClaimable(deliveryId: string): Promise<number | null> {
    const { rows } = await this.sql.execute(
      statement("SELECT leased_until, next_attempt_at FROM deliveries WHERE id = ? AND status = 'pending'", [deliveryId]),
    );
    if (!rows.length) return null;
    const now = Date.now();
    const leasedFor = rows[0].leased_until === null ? 0 : Number(rows[0].leased_until) - now;
    const dueIn = rows[0].next_attempt_at === null ? 0 : Number(rows[0].next_attempt_at) - now;
    return Math.max(0, leasedFor, dueIn);
  }

  async attempt(job: DeliveryJob): Promise<AttemptOutcome> {
    const at = Date.now();
    let result: AttemptResult;
    let failed = false;
    try {
      result = await this.dispatcher.send(job);
    } catch (error) {
      failed = true;
      result =
        error instanceof DeliveryAttemptError
          ? error.result
          : { statusCode: null, durationMs: Date.now() - at, error: String(error), responseBody: null, retryAfterMs: null, permanent: false };
    }
    const next = this.nextState(job, result, failed);
    this.metrics.deliveryAttempts.inc({ outcome: failed ? (next.status === 'failed' ? 'failed' : 'retry') : 'succeeded' });
    this.metrics.attemptDuration.observe(result.durationMs / 1000);
    return { ...next, recorded: this.recorder.record({ job, result, at, ...next }) };
  }

  private nextState(job: DeliveryJob, result: AttemptResult, failed: boolean): Omit<AttemptOutcome, 'recorded'> {
    if (!failed) return { status: 'succeeded', nextAttemptAt: null };
    if (result.permanent) return { status: 'failed', nextAttemptAt: null };
    const delay = nextRetryDelayMs(this.config.retryScheduleMs, job.attemptsMade + 1, { retryAfterMs: result.retryAfterMs });
    return delay === null ? { status: 'failed', nextAttemptAt: null } : { status: 'pending', nextAttemptAt: Date.now() + delay };
  }
}
