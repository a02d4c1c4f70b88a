import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpAdapterHost } from '@nestjs/core';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { isStorageFull } from './storage-full.js';
import { InvalidBodyException, type JsonBodyRouteConfig } from './json-body.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  /** On routes with one fixed message for every unreadable body (ingest's "Invalid Data"): what to fix. */
  reason?: string;
}

export function errorBody(statusCode: number, message: string | string[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return errorBody(statusCode, response);
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string' || (Array.isArray(message) && message.every((m) => typeof m === 'string'))) {
    return errorBody(statusCode, message);
  }
  return errorBody(statusCode, exception.message);
}

/**
 * How long a client should wait before sending again while the database cannot write. Space comes back by an
 * operator's hand, in minutes: a shorter hint only makes every client retry against a disk that is still full.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 30;

/**
 * Every error leaves in NestJS's shape `{statusCode, error, message}`: HTTP exceptions as they are, a
 * database that cannot write (disk full) as 503 with Retry-After on every route, anything else as a logged
 * 500 without details. What any other database error means to a client (a taken email is a 409) is decided
 * by the service that owns the table.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Fastify's reply from a route; Node's raw response where an error is raised in Nest middleware.
    const response = host.switchToHttp().getResponse<FastifyReply | ServerResponse>();
    const request = host.switchToHttp().getRequest<FastifyRequest | IncomingMessage>();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    if (isStorageFull(exception)) {
      // Not logged per request: StorageStatus warns once when writes start failing (a full disk may hold the log too).
      adapter.setHeader(response, 'Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
      adapter.reply(response, errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'), HttpStatus.SERVICE_UNAVAILABLE);
      return;
    }
    const body = this.toErrorBody(exception, request);
    if (body.statusCode >= 500) {
      // The error's name and message only: a driver error can quote the values it was given.
      const error = exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
      this.logger.error({ err: error, requestId: (request as { id?: unknown }).id }, 'request failed');
    }
    adapter.reply(response, body, body.statusCode);
  }

  private toErrorBody(exception: unknown, request: FastifyRequest | IncomingMessage): ErrorBody {
    const override = 'routeOptions' in request ? errorOverrideFor(request, exception) : null;
    if (override) return override;
    if (exception instanceof HttpException) return fromHttpException(exception);
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/** Fastify's own body errors (before the parser runs), as the sentence a client needs. */
const FASTIFY_BODY_REASONS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty: send a JSON object',
};

/** Why a body could not be taken: our JSON parser's reason, or one of Fastify's body errors; null for anything else. */
function bodyProblem(exception: HttpException): string | null {
  if (exception instanceof InvalidBodyException) return exception.reason;
  // Only errors of Fastify's body parsing: a handler's own 400 keeps its own message.
  const code = (exception.cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('FST_ERR_CTP_')) return null;
  const status = exception.getStatus();
  if (status !== HttpStatus.BAD_REQUEST && status !== HttpStatus.UNSUPPORTED_MEDIA_TYPE) return null;
  return FASTIFY_BODY_REASONS[code] ?? exception.message;
}

/**
 * A route may declare, through Fastify route config (`@RouteConfig({ invalidBodyMessage })`), the one
 * message its clients get for a body that cannot be taken (malformed JSON, not UTF-8, wrong or missing
 * content type), with the reason beside it. Most of those errors happen in the body parser, before any Nest
 * pipe or handler of the route runs.
 */
function errorOverrideFor(request: FastifyRequest, exception: unknown): ErrorBody | null {
  const config = request.routeOptions?.config as JsonBodyRouteConfig | undefined;
  if (!config?.invalidBodyMessage || !(exception instanceof HttpException)) return null;
  const reason = bodyProblem(exception);
  return reason === null ? null : { ...errorBody(HttpStatus.BAD_REQUEST, config.invalidBodyMessage), reason };
}
