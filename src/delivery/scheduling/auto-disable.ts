import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { raw } from 'sql-template-tag';
import { SqlRunner, sql } from '../../database/sql.js';
import { MetricsService } from '../../metrics/metrics.service.js';

/** Checked this often at most (and ten times per AUTO_DISABLE_AFTER when that is shorter). */
const CHECK_INTERVAL_MS = 60_000;

/**
 * Disables a destination that has failed for AUTO_DISABLE_AFTER: no successful attempt since it started
 * failing, and at least one delivery failed for good in that time. Its pending deliveries wait, as for a
 * manual disable, until someone enables it again. Several workers may run the check: the UPDATE decides.
 */
@Injectable()
export class AutoDisable implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AutoDisable.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: SqlRunner,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const after = this.config.autoDisableAfterMs;
    if (after === null) return;
    this.timer = setInterval(() => void this.check(), Math.max(100, Math.min(CHECK_INTERVAL_MS, Math.floor(after / 10))));
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<number> {
    const after = this.config.autoDisableAfterMs;
    if (after === null) return 0;
    try {
      const now = Date.now();
      const pg = this.sql.dialect === 'postgres';
      const enabled = raw(pg ? 'TRUE' : '1');
      const { rows } = await this.sql.execute(
        sql`SELECT t.id, t.account_id, t.failing_since,
                  (SELECT d.last_error FROM deliveries d
                    WHERE d.destination_id = t.id AND d.status = 'failed' AND d.updated_at >= t.failing_since
                    ORDER BY d.updated_at DESC LIMIT 1) AS last_error
             FROM destinations t
            WHERE t.enabled = ${enabled} AND t.failing_since IS NOT NULL AND t.failing_since <= ${now - after}
              AND EXISTS (SELECT 1 FROM deliveries d
                           WHERE d.destination_id = t.id AND d.status = 'failed' AND d.updated_at >= t.failing_since)`,
      );
      let disabled = 0;
      for (const row of rows) {
        const since = new Date(Number(row.failing_since)).toISOString();
        const reason = `failing since ${since}: ${String(row.last_error ?? 'no successful attempt')}`.slice(0, 500);
        const { changes } = await this.sql.execute(
          sql`UPDATE destinations SET enabled = ${raw(pg ? 'FALSE' : '0')}, disabled_reason = ${reason}, disabled_at = ${now}, updated_at = ${now}
               WHERE id = ${String(row.id)} AND enabled = ${enabled} AND failing_since = ${Number(row.failing_since)}`,
        );
        if (!changes) continue;
        disabled++;
        this.metrics.destinationsDisabled.inc();
        this.logger.warn(`Destination ${String(row.id)} of account ${String(row.account_id)} disabled: ${reason}`);
      }
      return disabled;
    } catch (error) {
      this.logger.error(`Checking for failing destinations failed; trying again later: ${String(error)}`);
      return 0;
    }
  }
}
