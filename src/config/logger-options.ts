import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './environment.js';

const QUIET_PATHS = ['/health', '/metrics'];

/**
 * Structured JSON logs. Requests are logged by id, method, path, status and duration only (the id is
 * Fastify's, see requestIdFor, which @fastify/middie hands on as `req.id`): headers (admin key, app
 * tokens, destination headers) and bodies (payloads) never reach the log, and the redact list is the
 * second line of defence should a serializer change.
 */
export function buildLoggerOptions(config: AppConfig): Params {
  return {
    // nestjs-pino's default route, `{/*splat}` (no leading slash on purpose), is turned into `/{/*splat}` by
    // @fastify/middie 9.3, which then matches no request: the request logger never ran. A route with its
    // leading slash matches every path on both.
    forRoutes: [{ path: '/{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      // Inside @fastify/middie `req.url` is relative to the middleware's mount path; `originalUrl` is the whole.
      autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.some((path) => (req.originalUrl ?? req.url)?.startsWith(path)) },
      redact: {
        paths: ['req.headers', 'res.headers', 'req.body', '*.authorization', '*["cl-x-token"]', '*.app_secret_token', '*.signing_secret'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
