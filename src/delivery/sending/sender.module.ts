import { HttpModule } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DeliveryDispatcher } from '../delivery-dispatcher.js';
import { deliveryHttpOptions } from '../http-client.options.js';

/** What sending needs and nothing else: HttpService on undici and the dispatcher (also the sender thread's whole app). */
@Module({})
export class SenderModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SenderModule,
      imports: [HttpModule.register(deliveryHttpOptions(config))],
      providers: [{ provide: APP_CONFIG, useValue: config }, DeliveryDispatcher],
      exports: [DeliveryDispatcher],
    };
  }
}
