import { Injectable } from '@nestjs/common';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterStores } from '../../rate-limits/rate-limiter-stores.js';
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
 * Shares destinations' rate limits between all the processes that deliver (through RateLimiterStores: Redis,
 * PostgreSQL or memory). The counting is rate-limiter-flexible's; only the window keys are ours.
 */
@Injectable()
export class DestinationRateLimiter {
  /** Destinations out of attempts for now, until the given time. */
  private readonly heldUntil = new Map<string, number>();
  constructor(private readonly stores: RateLimiterStores) {}

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

  private limiter(points: number, windowMs: number): Promise<RateLimiterAbstract> {
    // The window is in the key; the store's expiry only has to outlast it.
    return this.stores.limiter({
      points,
      durationSeconds: Math.max(1, Math.ceil((windowMs * 2) / 1000)),
      keyPrefix: `dp-rate-${points}/${windowMs}`,
      tableName: 'destination_rate_windows',
    });
  }
}
