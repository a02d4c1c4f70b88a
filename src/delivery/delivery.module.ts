import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { BacklogGauges } from './backlog-gauges.js';
import { DeliveryHistory } from './delivery-history.js';
import { BullDeliveryQueue } from './queue/bullmq-delivery-queue.js';
import { DeliveryQueue } from './queue/delivery-queue.js';
import { EmbeddedDeliveryQueue } from './queue/embedded-delivery-queue.js';
import { RabbitDeliveryQueue } from './queue/rabbitmq-delivery-queue.js';

/**
 * The delivery queue port, for whoever commits deliveries (ingest, retries) or sends them: BullMQ when
 * REDIS_URL is set, RabbitMQ when QUEUE_URL is (never both), this process otherwise. Exports the port, and
 * DeliveryHistory for whoever changes or deletes deliveries in bulk (retry, recover, deletes, retention).
 */
@Module({
  providers: [
    {
      provide: DeliveryQueue,
      inject: [APP_CONFIG, MetricsService],
      useFactory: (config: AppConfig, metrics: MetricsService): DeliveryQueue => {
        if (config.redisUrl) return new BullDeliveryQueue(config.redisUrl, config.queuePrefix);
        if (config.queueUrl) {
          return new RabbitDeliveryQueue({
            url: config.queueUrl,
            prefix: config.queuePrefix,
            capacity: config.workerConcurrency,
            connectionName: `data-pusher ${config.role} pid ${process.pid}`,
            registry: metrics.registry,
          });
        }
        return new EmbeddedDeliveryQueue();
      },
    },
    DeliveryHistory,
    BacklogGauges,
  ],
  exports: [DeliveryQueue, DeliveryHistory],
})
export class DeliveryModule {}
