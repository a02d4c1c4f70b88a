import { HttpModule } from '@nestjs/axios';
import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DeliveryDispatcher } from './delivery-dispatcher.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { DeliveryRecorder } from './delivery-recorder.js';
import { deliveryHttpOptions } from './http-client.options.js';
import { BullDeliveryQueue, DELIVERY_QUEUE } from './queue/bullmq-delivery-queue.js';
import { BullDeliveryWorker } from './queue/bullmq-delivery-worker.js';
import { DeliveryQueue } from './queue/delivery-queue.js';
import { DeliverySweeper } from './queue/delivery-sweeper.js';
import { EmbeddedDeliveryQueue } from './queue/embedded-delivery-queue.js';
import { redisConnectionOptions } from './queue/redis-connection.js';

/**
 * Sending deliveries. Without REDIS_URL the database is the queue and an in-process worker drains it
 * (unless ROLE=api); with REDIS_URL, BullMQ carries delivery ids to any number of ROLE=worker processes.
 * Global, so that ingest and the delivery log can hand deliveries to the one queue.
 */
@Module({})
export class DeliveryModule {
  static forRoot(config: AppConfig): DynamicModule {
    const delivers = config.role !== 'api';
    const shared: Provider[] = [DeliveryDispatcher, DeliveryRecorder, DeliveryProcessor];
    const http = HttpModule.registerAsync({ inject: [APP_CONFIG], useFactory: (c: AppConfig) => deliveryHttpOptions(c) });
    if (!config.redisUrl) {
      return {
        module: DeliveryModule,
        global: true,
        imports: [http],
        providers: [...shared, EmbeddedDeliveryQueue, { provide: DeliveryQueue, useExisting: EmbeddedDeliveryQueue }],
        exports: [DeliveryQueue],
      };
    }
    return {
      module: DeliveryModule,
      global: true,
      imports: [
        http,
        BullModule.forRoot({ connection: redisConnectionOptions(config.redisUrl), prefix: config.queuePrefix }),
        BullModule.registerQueue({ name: DELIVERY_QUEUE }),
      ],
      providers: [
        ...shared,
        BullDeliveryQueue,
        { provide: DeliveryQueue, useExisting: BullDeliveryQueue },
        ...(delivers ? [BullDeliveryWorker, DeliverySweeper] : []),
      ],
      exports: [DeliveryQueue, BullDeliveryQueue],
    };
  }
}
