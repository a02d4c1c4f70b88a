import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, type Repository } from 'typeorm';
import { isoTime } from '../common/iso-time.js';
import { MANUAL_DISABLE_REASON } from '../destinations/destination-controls.js';
import { Destination } from '../destinations/entities/destination.entity.js';
import { DeliveryAttempt } from '../messages/entities/delivery-attempt.entity.js';
import { Delivery } from '../messages/entities/delivery.entity.js';
import type { AttemptRateDto, OverviewDto } from './dto/overview.dto.js';

export const OVERVIEW_MINUTES = 10;
const DISABLED_LISTED = 20;
const MINUTE_MS = 60_000;

/**
 * The smallest UUIDv7 of a millisecond: attempt ids are UUIDv7 made when the attempt is recorded, so
 * `id >= smallestIdAt(t)` reads the recent attempts through the primary key instead of scanning them all.
 */
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

  private async attemptRates(now: number): Promise<AttemptRateDto[]> {
    const currentMinute = Math.floor(now / MINUTE_MS);
    const firstMinute = currentMinute - OVERVIEW_MINUTES + 1;
    const since = firstMinute * MINUTE_MS;
    const rows = await this.attempts
      .createQueryBuilder('a')
      .select(`a.at / ${MINUTE_MS}`, 'minute')
      .addSelect('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN a.statusCode >= 200 AND a.statusCode < 300 THEN 1 ELSE 0 END)', 'succeeded')
      .where('a.id >= :fromId', { fromId: smallestIdAt(since) })
      .andWhere('a.at >= :since', { since })
      .groupBy(`a.at / ${MINUTE_MS}`)
      .getRawMany<{ minute: string | number; total: string | number; succeeded: string | number | null }>();
    const byMinute = new Map(rows.map((row) => [Math.floor(Number(row.minute)), row]));
    const rates: AttemptRateDto[] = [];
    for (let minute = firstMinute; minute <= currentMinute; minute += 1) {
      const row = byMinute.get(minute);
      // The current minute is averaged over the seconds it has had so far.
      const seconds = minute === currentMinute ? Math.max(1, (now - minute * MINUTE_MS) / 1000) : 60;
      const total = Number(row?.total ?? 0);
      const succeeded = Number(row?.succeeded ?? 0);
      rates.push({
        minute: isoTime(minute * MINUTE_MS),
        succeeded: round(succeeded / seconds),
        failed: round((total - succeeded) / seconds),
      });
    }
    return rates;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
