import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryHistory } from './delivery-history.js';

/** A purge round starts this often at most: a message goes at the latest about this long after it expired. */
const MAX_ROUND_INTERVAL_MS = 30_000;
const MIN_ROUND_INTERVAL_MS = 250;
/**
 * A message still has deliveries to write this long after it arrived only if its ingest stopped half-way (a
 * crash): writing 10,000 deliveries takes well under a second.
 */
export const ABANDONED_INGEST_MS = 10 * 60_000;

/**
 * Which messages are kept. MESSAGE_RETENTION: finished messages (no pending delivery) are deleted once they
 * are older than the retention, with their deliveries and attempts, in rounds of short steps
 * (DeliveryHistory.purgeFinished); on Postgres one process purges at a time. And a message whose ingest
 * stopped half-way (its client got no 202) is removed after ABANDONED_INGEST_MS. Runs in every delivering
 * process.
 */
@Injectable()
export class MessageRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageRetention.name);
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly history: DeliveryHistory,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const retention = this.config.messageRetentionMs ?? MAX_ROUND_INTERVAL_MS * 4;
    const interval = Math.min(MAX_ROUND_INTERVAL_MS, Math.max(MIN_ROUND_INTERVAL_MS, Math.floor(retention / 4)));
    this.timer = setInterval(() => {
      this.round ??= this.purge().finally(() => (this.round = null));
    }, interval);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
  }

  /** One round: everything that expired by now, step by step. */
  async purge(): Promise<void> {
    if (this.stopped) return;
    await this.removeAbandonedIngests();
    const retention = this.config.messageRetentionMs;
    if (retention === null || this.stopped) return;
    const started = Date.now();
    const cutoff = started - retention;
    try {
      const deleted = await this.history.purgeFinished(cutoff, () => this.stopped);
      if (!deleted?.messages && !deleted?.deliveries) return;
      this.metrics.messagesPurged.inc(deleted.messages);
      this.logger.log(
        `Purged ${deleted.messages} messages with ${deleted.deliveries} deliveries received before ${new Date(cutoff).toISOString()} ` +
          `(MESSAGE_RETENTION) in ${Date.now() - started} ms`,
      );
    } catch (error) {
      this.logger.error(`Purging expired messages failed; trying again in the next round: ${String(error)}`);
    }
  }

  private async removeAbandonedIngests(): Promise<void> {
    try {
      const removed = await this.history.removeAbandonedIngests(Date.now() - ABANDONED_INGEST_MS);
      if (removed.messages) {
        this.logger.warn(`Removed ${removed.messages} messages whose ingest stopped half-way (no 202 was sent for them)`);
      }
    } catch (error) {
      this.logger.error(`Removing half-stored messages failed; trying again in the next round: ${String(error)}`);
    }
  }
}
