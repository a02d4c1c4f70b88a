import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { TokenAccount } from '../accounts/accounts.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RateLimiterStores } from '../rate-limits/rate-limiter-stores.js';

/**
 * Each account's ingest requests per second (its ingest_rate_limit, else INGEST_RATE_LIMIT), counted in
 * one-second windows shared by every api process (RateLimiterStores). While the shared store does not
 * answer, each process counts on its own: a Redis outage must not refuse every ingest.
 */
@Injectable()
export class IngestRateLimiter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stores: RateLimiterStores,
  ) {}

  /** Null when the request may go on; else the seconds to wait, for Retry-After. */
  async retryAfterSeconds(account: TokenAccount): Promise<number | null> {
    const limit = account.ingestRateLimit ?? this.config.ingestRateLimit;
    // Unlimited accounts (the default) cost nothing here: no store is asked.
    if (limit === null) return null;
    const limiter = await this.stores.limiter({
      points: limit,
      durationSeconds: 1,
      keyPrefix: `dp-ingest-${limit}`,
      tableName: 'ingest_rate_windows',
      memoryWhenStoreFails: true,
    });
    try {
      await limiter.consume(account.id);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    }
  }
}
