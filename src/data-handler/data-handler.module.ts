import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AppTokenGuard } from './app-token.guard.js';
import { AppTokenMiddleware } from './app-token.middleware.js';
import { INGEST_PATH } from './ingest-request.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

/** Ingest: `POST /server/incoming_data`, authenticated by the account's CL-X-TOKEN. */
@Module({
  imports: [AccountsModule],
  controllers: [IngestController],
  providers: [AppTokenGuard, IngestService],
})
export class DataHandlerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AppTokenMiddleware).forRoutes({ path: INGEST_PATH, method: RequestMethod.POST });
  }
}
