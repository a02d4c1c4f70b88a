import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { serveApiDocs } from './api-docs/serve-api-docs.js';
import { parseJsonBody } from './common/json-body.js';
import { serveConsole } from './console/serve-console.js';
import { REQUEST_ID_HEADER, requestIdFor } from './common/request-id.js';
import { createAppLogger } from './config/app-logger.js';
import { parseEnvironment } from './config/environment.js';
import { buildLoggerOptions } from './config/logger-options.js';

/** Builds the HTTP application (not listening yet): used by main.ts and by the e2e tests alike. */
export async function createHttpApp(env: Record<string, string | undefined>): Promise<NestFastifyApplication> {
  const config = parseEnvironment(env);
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxPayloadBytes,
    routerOptions: { ignoreTrailingSlash: true },
    // A client that stalls mid-request must not hold a connection (or a graceful shutdown) forever.
    requestTimeout: 30_000,
    genReqId: requestIdFor,
  });
  // The first hook, so that every answer carries the id, even those given before Nest runs (401, 404, 405).
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    logger: createAppLogger(buildLoggerOptions(config)),
    abortOnError: false,
  });

  app.useBodyParser('application/json', { bodyLimit: config.maxPayloadBytes }, (request, body, done) => done(null, parseJsonBody(request, body)));
  if (config.role !== 'worker') {
    serveApiDocs(app);
    await serveConsole(app);
  }

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
