import { Module } from '@nestjs/common';
import { RateLimiterStores } from './rate-limiter-stores.js';

/** The shared store of rate-limit counts, for ingest's per-account limit and delivery's per-destination one. */
@Module({
  providers: [RateLimiterStores],
  exports: [RateLimiterStores],
})
export class RateLimitsModule {}
