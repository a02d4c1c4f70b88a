import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SqlRunner, statement } from '../../database/sql.js';
import { DeliveryQueue } from './delivery-queue.js';

/** How overdue a pending delivery must be before the sweep assumes its job may be lost. */
const OVERDUE_MS = 5_000;
const SWEEP_BATCH = 1_000;

/**
 * Puts back on the queue the pending deliveries that are overdue and not leased: their job was lost (a crash
 * between commit and enqueue, a flushed Redis). Jobs are keyed by delivery id, so re-adding one that still
 * exists does nothing, and several workers sweeping at once is harmless.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliverySweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly sql: SqlRunner,
    private readonly queue: DeliveryQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweepIntervalMs);
    this.timer.unref();
    void this.sweep();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const now = Date.now();
      const { rows } = await this.sql.execute(
        statement(
          `SELECT id FROM deliveries
            WHERE status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
            ORDER BY next_attempt_at LIMIT ?`,
          [now - OVERDUE_MS, now, SWEEP_BATCH],
        ),
      );
      if (rows.length) await this.queue.enqueue(rows.map((row) => String(row.id)));
      return rows.length;
    } catch (error) {
      this.logger.warn(`Sweep for lost delivery jobs failed; trying again in ${this.config.sweepIntervalMs} ms: ${String(error)}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
