import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DeliveryDispatcher } from './delivery-dispatcher.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { DeliveryRecorder } from './delivery-recorder.js';
import { deliveryHttpOptions } from './http-client.options.js';
import { DeliveryQueue } from './queue/delivery-queue.js';
import { EmbeddedDeliveryQueue } from './queue/embedded-delivery-queue.js';

/** Sending deliveries: exports the queue that ingest hands committed deliveries to. */
@Module({
  imports: [HttpModule.registerAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => deliveryHttpOptions(config) })],
  providers: [
    DeliveryDispatcher,
    DeliveryRecorder,
    DeliveryProcessor,
    EmbeddedDeliveryQueue,
    { provide: DeliveryQueue, useExisting: EmbeddedDeliveryQueue },
  ],
  exports: [DeliveryQueue],
})
export class DeliveryModule {}
