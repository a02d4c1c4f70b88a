import { Logger, type Params, PinoLogger } from 'nestjs-pino';

/** Nest's own start-up lines: one per module and per route (about 50), useful when debugging, noise otherwise. */
const FRAMEWORK_START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** nestjs-pino's Nest logger, with Nest's start-up chatter moved from info to debug. */
class AppLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && FRAMEWORK_START_UP_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/**
 * The logger to give NestFactory from the start (instead of buffering until the app exists): so what happens
 * while the app is being built (a database that does not answer, retried) is logged as JSON at LOG_LEVEL too.
 * It writes through the same root pino logger that nestjs-pino's LoggerModule uses for request lines.
 */
export function createAppLogger(params: Params): Logger {
  return new AppLogger(new PinoLogger(params), params);
}
