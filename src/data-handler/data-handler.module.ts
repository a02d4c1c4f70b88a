import { Module, type OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AccountsModule } from '../accounts/accounts.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { errorBody } from '../common/http-error.filter.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { AccountMessagesController } from './account-messages.controller.js';
import { AppTokenGuard } from './app-token.guard.js';
import { IngestRateLimiter } from './ingest-rate-limiter.js';
import { INGEST_PATH, INVALID_DATA, TOO_MANY_REQUESTS, UNAUTHENTICATED } from './ingest-request.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

/**
 * Ingest: `POST /server/incoming_data`, authenticated by the account's CL-X-TOKEN, and the same for the admin
 * on an account's behalf (`POST /accounts/{id}/messages`).
 */
@Module({
  imports: [AccountsModule, DeliveryModule, RateLimitsModule],
  controllers: [IngestController, AccountMessagesController],
  providers: [AppTokenGuard, IngestService, IngestRateLimiter],
})
export class DataHandlerModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly guard: AppTokenGuard,
    private readonly rateLimiter: IngestRateLimiter,
  ) {}

  /**
   * What must act before Nest does. The 405 answers for every other method. The token check and then the
   * account's rate limit in Fastify's onRequest phase, before the body is read: an unauthenticated or
   * over-limit request gets its 401 or 429 without its body being parsed or size-checked; the route's guard
   * then finds the account already resolved.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    const route = `/${INGEST_PATH}`;
    // Every other method gets the contract's 405, with the Allow header that says what would work.
    fastify.route({
      // HEAD comes with GET.
      method: fastify.supportedMethods.filter((method) => method !== 'POST' && method !== 'HEAD'),
      url: route,
      handler: (_request, reply) => reply.code(405).header('Allow', 'POST').send(errorBody(405, INVALID_DATA)),
    });
    fastify.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST' || request.routeOptions.url !== route) return;
      let account;
      try {
        account = await this.guard.authenticate(request.raw);
      } catch (error) {
        // Only a missing or unknown token is the client's fault; a database failure must not look like one
        // (clients treat 401 as final and would drop the data). It goes to the error filter: a logged 500.
        if (error instanceof UnauthorizedException) return reply.code(401).send(errorBody(401, UNAUTHENTICATED));
        throw error;
      }
      const retryAfter = await this.rateLimiter.retryAfterSeconds(account);
      if (retryAfter !== null) return reply.code(429).header('Retry-After', String(retryAfter)).send(errorBody(429, TOO_MANY_REQUESTS));
    });
  }
}
