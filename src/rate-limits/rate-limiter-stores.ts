import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/** One family of limits: how many points per how many seconds, and where its counts live. */
export interface RateLimiterSpec {
  points: number;
  durationSeconds: number;
  /** Keeps one family's counts apart from another's in the shared store. */
  keyPrefix: string;
  /** The PostgreSQL table of this family's counts (rate-limiter-flexible creates it). */
  tableName: string;
  /**
   * Count in this process's memory while the shared store does not answer (each process then allows the
   * full rate on its own): for limits that must not turn a store outage into refused requests.
   */
  memoryWhenStoreFails?: boolean;
}

/**
 * Where the processes of one deployment share their rate-limit counts: Redis in scale-out mode, the PostgreSQL
 * database without Redis, this process's memory for an embedded SQLite process (the only one). The counting
 * itself is rate-limiter-flexible's; this owns the store clients and hands out limiters.
 */
@Injectable()
export class RateLimiterStores implements OnApplicationShutdown {
  private readonly limiters = new Map<string, Promise<RateLimiterAbstract>>();
  private redis: Redis | undefined;
  private pool: pg.Pool | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The limiter for a spec, made once and kept. */
  limiter(spec: RateLimiterSpec): Promise<RateLimiterAbstract> {
    const key = `${spec.keyPrefix}/${spec.points}/${spec.durationSeconds}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = this.create(spec);
      this.limiters.set(key, limiter);
      // A store that could not be set up is tried again next time.
      limiter.catch(() => this.limiters.delete(key));
    }
    return limiter;
  }

  private async create(spec: RateLimiterSpec): Promise<RateLimiterAbstract> {
    const options = {
      points: spec.points,
      duration: spec.durationSeconds,
      keyPrefix: spec.keyPrefix,
      ...(spec.memoryWhenStoreFails ? { insuranceLimiter: new RateLimiterMemory({ points: spec.points, duration: spec.durationSeconds }) } : {}),
    };
    if (this.config.redisUrl) {
      this.redis ??= new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, keyPrefix: `${this.config.queuePrefix}:` });
      return new RateLimiterRedis({ ...options, storeClient: this.redis });
    }
    if (this.config.database.kind === 'postgres') {
      this.pool ??= new pg.Pool({ connectionString: this.config.database.url, max: 2 });
      const pool = this.pool;
      return new Promise<RateLimiterAbstract>((resolve, reject) => {
        const created: RateLimiterAbstract = new RateLimiterPostgres(
          { ...options, storeClient: pool, tableName: spec.tableName },
          (error?: Error) => (error ? reject(error) : resolve(created)),
        );
      });
    }
    return new RateLimiterMemory(options);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
    await this.pool?.end();
  }
}
