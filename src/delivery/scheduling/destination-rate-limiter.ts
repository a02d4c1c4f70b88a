import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { PendingDestination } from '../delivery-store.sql.js';

/**
 * A destination's `rate_limit` (attempts per second) is enforced in windows of a tenth of a second (or of
 * 1/rate s below 10 per second), so attempts are spread out instead of bursting at the start of each second:
 * no sliding second sees more than the rate and one window's share.
 */
export function rateWindow(ratePerSecond: number): { windowMs: number; points: number } {
  if (ratePerSecond >= 10) return { windowMs: 100, points: Math.ceil(ratePerSecond / 10) };
  return { windowMs: Math.ceil(1000 / ratePerSecond), points: 1 };
}

/**
 * Shares rate limits between all the processes that deliver: through Redis in scale-out mode, through the
 * PostgreSQL database without Redis, in memory for an embedded SQLite process (the only one delivering).
 * The counting is rate-limiter-flexible's; only the window keys are ours.
 */
@Injectable()
export class DestinationRateLimiter implements OnApplicationShutdown {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** Destinations out of attempts for now, until the given time. */
  private readonly heldUntil = new Map<string, number>();
  private redis: Redis | undefined;
  private pool: pg.Pool | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  isHeld(destinationId: string, now: number): boolean {
    const until = this.heldUntil.get(destinationId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.heldUntil.delete(destinationId);
    return false;
  }

  /** When the earliest held destination may go on, if any is held. */
  nextRelease(): number | null {
    let earliest = Infinity;
    for (const until of this.heldUntil.values()) earliest = Math.min(earliest, until);
    return earliest === Infinity ? null : earliest;
  }

  /**
   * The planned claims, cut down to what the destinations' rate limits allow now; the points taken are
   * spent (a claim that then finds fewer deliveries than planned wastes them, which errs on the safe side).
   */
  async admit(plan: Map<string, number>, destinations: readonly PendingDestination[]): Promise<Map<string, number>> {
    const limited = destinations.filter((d) => d.rateLimit !== null && plan.has(d.destinationId));
    if (!limited.length) return plan;
    const now = Date.now();
    await Promise.all(
      limited.map(async ({ destinationId, rateLimit }) => {
        const { windowMs, points } = rateWindow(rateLimit as number);
        const window = Math.floor(now / windowMs);
        const wanted = plan.get(destinationId) as number;
        const granted = await this.take(await this.limiter(points, windowMs), `${destinationId}:${window}`, wanted);
        if (granted > 0) plan.set(destinationId, granted);
        else plan.delete(destinationId);
        if (granted < wanted) this.heldUntil.set(destinationId, (window + 1) * windowMs);
      }),
    );
    return plan;
  }

  /** Takes up to `wanted` of the points left in the key's window. */
  private async take(limiter: RateLimiterAbstract, key: string, wanted: number): Promise<number> {
    const used = (await limiter.get(key))?.consumedPoints ?? 0;
    const count = Math.min(wanted, limiter.points - used);
    if (count <= 0) return 0;
    try {
      await limiter.consume(key, count);
      return count;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Another process took the points meanwhile: give these back and wait for the next window.
      await limiter.reward(key, count);
      return 0;
    }
  }

  private async limiter(points: number, windowMs: number): Promise<RateLimiterAbstract> {
    const cacheKey = `${points}/${windowMs}`;
    const known = this.limiters.get(cacheKey);
    if (known) return known;
    // The window is in the key; the store's expiry only has to outlast it.
    const options = { points, duration: Math.max(1, Math.ceil((windowMs * 2) / 1000)), keyPrefix: `dp-rate-${cacheKey}` };
    let limiter: RateLimiterAbstract;
    if (this.config.redisUrl) {
      this.redis ??= new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, keyPrefix: `${this.config.queuePrefix}:` });
      limiter = new RateLimiterRedis({ ...options, storeClient: this.redis });
    } else if (this.config.database.kind === 'postgres') {
      this.pool ??= new pg.Pool({ connectionString: this.config.database.url, max: 2 });
      const pool = this.pool;
      limiter = await new Promise<RateLimiterAbstract>((resolve, reject) => {
        const created: RateLimiterAbstract = new RateLimiterPostgres(
          { ...options, storeClient: pool, tableName: 'destination_rate_windows' },
          (error?: Error) => (error ? reject(error) : resolve(created)),
        );
      });
    } else {
      limiter = new RateLimiterMemory(options);
    }
    this.limiters.set(cacheKey, limiter);
    return limiter;
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
    await this.pool?.end();
  }
}
