import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './environment.js';

const QUIET_PATHS = ['/health', '/metrics'];

/**
 * Structured JSON logs. Requests are logged by method, path and status only: headers (admin key, app
 * tokens, destination headers) and bodies (payloads) never reach the log, and the redact list is the
 * second line of defence should a serializer change.
 */
export function buildLoggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.some((path) => req.url?.startsWith(path)) },
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
