import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, type Repository } from 'typeorm';
import { isoTime } from '../common/iso-time.js';
import { MANUAL_DISABLE_REASON } from '../destinations/destination-controls.js';
import { Destination } from '../destinations/entities/destination.entity.js';
import { DeliveryAttempt } from '../messages/entities/delivery-attempt.entity.js';
import { Delivery } from '../messages/entities/delivery.entity.js';
import type { AttemptRateDto, OverviewDto } from './dto/overview.dto.js';

/** Attempts per second are counted in buckets of 10 s, over the last 5 minutes. */
export const RATE_BUCKET_MS = 10_000;
export const RATE_BUCKETS = 30;
const DISABLED_LISTED = 20;
/** A bucket is final this long after its end: attempts recorded by other processes (or clocks a little behind) are in. */
const SETTLE_MS = 2_000;

interface BucketCount {
  total: number;
  succeeded: number;
}

/** The smallest UUIDv7 of a millisecond: `id >= smallestIdAt(t)` are the ids made at or after t. */
export function smallestIdAt(epochMillis: number): string {
  const hex = epochMillis.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The figures of the console's overview, read from the database: the same whichever process answers. */
@Injectable()
export class OverviewService {
  constructor(
    @InjectRepository(Delivery) private readonly deliveries: Repository<Delivery>,
    @InjectRepository(DeliveryAttempt) private readonly attempts: Repository<DeliveryAttempt>,
    @InjectRepository(Destination) private readonly destinations: Repository<Destination>,
  ) {}

  async overview(now = Date.now()): Promise<OverviewDto> {
    const autoDisabled = { enabled: false, disabledReason: Not(MANUAL_DISABLE_REASON) };
    const [pending, failed, attemptsPerSecond, disabledCount, disabled] = await Promise.all([
      this.deliveries.countBy({ status: 'pending' }),
      this.deliveries.countBy({ status: 'failed' }),
      this.attemptRates(now),
      this.destinations.countBy(autoDisabled),
      this.destinations.find({ where: autoDisabled, order: { disabledAt: 'DESC' }, take: DISABLED_LISTED }),
    ]);
    return {
      generated_at: isoTime(now),
      pending,
      failed,
      attempts_per_second: attemptsPerSecond,
      disabled_destinations: {
        count: disabledCount,
        data: disabled.map((destination) => ({
          destination_id: destination.id,
          account_id: destination.accountId,
          url: destination.url,
          http_method: destination.httpMethod,
          disabled_reason: destination.disabledReason ?? '',
          disabled_at: isoTime(destination.disabledAt ?? now),
        })),
      },
    };
  }

  /** Counts of settled buckets, which never change again: each is counted once, not on every refresh. */
  private readonly settled = new Map<number, Promise<BucketCount>>();

  private async attemptRates(now: number): Promise<AttemptRateDto[]> {
    const current = Math.floor(now / RATE_BUCKET_MS);
    const first = current - RATE_BUCKETS + 1;
    for (const bucket of this.settled.keys()) if (bucket < first) this.settled.delete(bucket);
    const counts = await Promise.all(
      Array.from({ length: RATE_BUCKETS }, (_, index) => {
        const bucket = first + index;
        const end = (bucket + 1) * RATE_BUCKET_MS;
        if (end + SETTLE_MS > now) return this.countBucket(bucket);
        let count = this.settled.get(bucket);
        if (!count) {
          count = this.countBucket(bucket);
          // A failed count is not kept: the next refresh tries again.
          count.catch(() => this.settled.delete(bucket));
          this.settled.set(bucket, count);
        }
        return count;
      }),
    );
    return counts.map((count, index) => {
      const bucket = first + index;
      // The current bucket is averaged over the time it has had so far.
      const seconds = bucket === current ? Math.max(1, (now - bucket * RATE_BUCKET_MS) / 1000) : RATE_BUCKET_MS / 1000;
      return {
        start: isoTime(bucket * RATE_BUCKET_MS),
        succeeded: round(count.succeeded / seconds),
        failed: round((count.total - count.succeeded) / seconds),
      };
    });
  }

  /**
   * The attempts recorded in one bucket, found by id: attempt ids are UUIDv7 made when the attempt is recorded,
   * so this is a range of the primary key, not a scan of the table.
   */
  private async countBucket(bucket: number): Promise<BucketCount> {
    const row = await this.attempts
      .createQueryBuilder('a')
      .select('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN a.statusCode >= 200 AND a.statusCode < 300 THEN 1 ELSE 0 END)', 'succeeded')
      .where('a.id >= :from AND a.id < :to', {
        from: smallestIdAt(bucket * RATE_BUCKET_MS),
        to: smallestIdAt((bucket + 1) * RATE_BUCKET_MS),
      })
      .getRawOne<{ total: string | number; succeeded: string | number | null }>();
    return { total: Number(row?.total ?? 0), succeeded: Number(row?.succeeded ?? 0) };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
