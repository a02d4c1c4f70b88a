import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { ADMIN_SECURITY_SCHEME, APP_TOKEN_SECURITY_SCHEME } from './common/auth.decorators.js';
import { parseJsonBody } from './common/json-body.js';
import { serveConsole } from './console/serve-console.js';
import { REQUEST_ID_HEADER, requestIdFor } from './common/request-id.js';
import { createAppLogger } from './config/app-logger.js';
import { parseEnvironment } from './config/environment.js';
import { buildLoggerOptions } from './config/logger-options.js';

const API_DESCRIPTION = `Data Pusher receives JSON on \`POST /server/incoming_data\` and delivers it to every destination of
the account whose \`CL-X-TOKEN\` came with it. Manage accounts and destinations here with the admin API key
(\`Authorize\` → admin-api-key). Errors are always \`{"statusCode", "error", "message"}\`; ids are UUIDs;
lists are paginated with \`limit\` and the \`next_cursor\` of the previous page; trailing slashes are accepted.`;

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
    setUpSwagger(app);
    await serveConsole(app);
  }

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json. */
function setUpSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Data Pusher')
      .setDescription(API_DESCRIPTION)
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'ADMIN_API_KEY', description: 'The admin API key' }, ADMIN_SECURITY_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'CL-X-TOKEN', description: "An account's app secret token" }, APP_TOKEN_SECURITY_SCHEME)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
}
