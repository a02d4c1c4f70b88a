import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { sql, SqlRunner } from '../database/sql.js';
import { MetricsService } from '../metrics/metrics.service.js';

interface Backlog {
  pending: number;
  oldestDueAt: number | null;
}

/**
 * The delivery backlog as Prometheus gauges, read from the database at each scrape (the same figures
 * whichever process is scraped). They are delivery's own figures: the metrics folder only keeps the registry.
 */
@Injectable()
export class BacklogGauges {
  /** One query serves both gauges of a scrape. */
  private backlog: Promise<Backlog> | null = null;

  constructor(
    private readonly sql: SqlRunner,
    metrics: MetricsService,
  ) {
    const readBacklog = () => this.readBacklog();
    new Gauge({
      name: 'data_pusher_pending_deliveries',
      help: 'Deliveries waiting for a (first or next) attempt, across all processes',
      registers: [metrics.registry],
      aggregator: 'max',
      async collect() {
        this.set((await readBacklog()).pending);
      },
    });
    new Gauge({
      name: 'data_pusher_oldest_pending_delivery_age_seconds',
      help: 'How overdue the most overdue pending delivery is (0 when none is overdue)',
      registers: [metrics.registry],
      aggregator: 'max',
      async collect() {
        const { oldestDueAt } = await readBacklog();
        this.set(oldestDueAt === null ? 0 : Math.max(0, (Date.now() - oldestDueAt) / 1000));
      },
    });
  }

  private readBacklog(): Promise<Backlog> {
    this.backlog ??= this.sql
      .execute(sql`SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM deliveries WHERE status = 'pending'`)
      .then(({ rows: [row] }) => ({ pending: Number(row?.n ?? 0), oldestDueAt: row?.oldest == null ? null : Number(row.oldest) }))
      .finally(() => setImmediate(() => (this.backlog = null)));
    return this.backlog;
  }
}
