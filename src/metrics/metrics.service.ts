import { Injectable } from '@nestjs/common';
import { isMainThread } from 'node:worker_threads';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Prometheus metrics of this process, scraped at GET /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /** Other threads of this process (the delivery thread), merged into every scrape. */
  private readonly sources: Array<() => Promise<MetricsJson>> = [];

  readonly ingestRequests = new Counter({
    name: 'data_pusher_ingest_requests_total',
    help: 'Requests to POST /server/incoming_data by HTTP status of the answer',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly deliveryAttempts = new Counter({
    name: 'data_pusher_delivery_attempts_total',
    help: 'Delivery attempts by outcome: succeeded, retry (failed, another attempt scheduled) or failed (gave up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: 'data_pusher_delivery_attempt_duration_seconds',
    help: 'Duration of one delivery attempt, until the answer or the error',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly destinationsDisabled = new Counter({
    name: 'data_pusher_destinations_disabled_total',
    help: 'Destinations disabled automatically after failing for AUTO_DISABLE_AFTER',
    registers: [this.registry],
  });

  readonly messagesPurged = new Counter({
    name: 'data_pusher_messages_purged_total',
    help: 'Finished messages deleted (with their deliveries and attempts) after MESSAGE_RETENTION',
    registers: [this.registry],
  });

  constructor() {
    // Process-wide figures (CPU, memory) once per process, from the main thread.
    if (isMainThread) collectDefaultMetrics({ register: this.registry, prefix: 'data_pusher_' });
  }

  addSource(source: () => Promise<MetricsJson>): void {
    this.sources.push(source);
  }

  async scrape(): Promise<string> {
    if (!this.sources.length) return this.registry.metrics();
    const own = await this.registry.getMetricsAsJSON();
    const all = [own, ...(await Promise.all(this.sources.map((source) => source())))];
    const merged = await AggregatorRegistry.aggregate(all).metrics();
    // Merging drops the metrics marked 'omit' (such as the process start time); this thread's are the
    // process's.
    const omitted = await Promise.all(
      own.filter((metric) => metric.aggregator === 'omit').map((metric) => this.registry.getSingleMetricAsString(metric.name)),
    );
    return [merged, ...omitted].join('\n');
  }
}
