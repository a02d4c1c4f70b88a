import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

const INGEST_ROUTE = /^\/server\/incoming_data\/?(\?|$)/;

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Counts every ingest answer, including the 401/400/413 given before any Nest handler runs. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      if (INGEST_ROUTE.test(request.url)) this.metrics.ingestRequests.inc({ status: String(reply.statusCode) });
      done();
    });
  }
}
