import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { BullDeliveryQueue } from './queue/bullmq-delivery-queue.js';
import { DeliveryQueue } from './queue/delivery-queue.js';
import { EmbeddedDeliveryQueue } from './queue/embedded-delivery-queue.js';

/**
 * The delivery queue port, for whoever commits deliveries (ingest, retries) or sends them: BullMQ when
 * REDIS_URL is set, this process otherwise. Exports the port and nothing else.
 */
@Module({
  providers: [
    {
      provide: DeliveryQueue,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): DeliveryQueue =>
        config.redisUrl ? new BullDeliveryQueue(config.redisUrl, config.queuePrefix) : new EmbeddedDeliveryQueue(),
    },
  ],
  exports: [DeliveryQueue],
})
export class DeliveryModule {}
