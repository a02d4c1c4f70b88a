import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { DeliveryModule } from './delivery.module.js';
import { DeliveryDispatcher } from './delivery-dispatcher.js';
import { DeliveryRecorder } from './delivery-recorder.js';
import { MessageRetention } from './message-retention.js';
import { AutoDisable } from './scheduling/auto-disable.js';
import { DeliveryScheduler } from './scheduling/delivery-scheduler.js';
import { DestinationRateLimiter } from './scheduling/destination-rate-limiter.js';
import { DeliverySender, InlineDeliverySender } from './sending/delivery-sender.js';
import { SenderModule } from './sending/sender.module.js';
import { ThreadDeliverySender } from './sending/thread-delivery-sender.js';

/**
 * Sending deliveries, for the processes that do (ROLE=all and ROLE=worker): the scheduler on this thread
 * with the database, the HTTP attempts on a sender thread (or here with DELIVERY_THREAD=false).
 */
@Module({})
export class DeliveryWorkerModule {
  static forRoot(config: AppConfig, env: Record<string, string | undefined>) {
    return {
      module: DeliveryWorkerModule,
      imports: [DeliveryModule, RateLimitsModule, ...(config.deliveryThread ? [] : [SenderModule.forRoot(config)])],
      providers: [
        DeliveryRecorder,
        DestinationRateLimiter,
        DeliveryScheduler,
        AutoDisable,
        MessageRetention,
        {
          provide: DeliverySender,
          inject: config.deliveryThread ? [APP_CONFIG] : [DeliveryDispatcher],
          useFactory: (dependency: AppConfig | DeliveryDispatcher): Promise<DeliverySender> | DeliverySender =>
            config.deliveryThread ? ThreadDeliverySender.start(env) : new InlineDeliverySender(dependency as DeliveryDispatcher),
        },
      ],
    };
  }
}
