import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponse, errorExample } from '../common/api-errors.decorator.js';
import { AppTokenAuth } from '../common/auth.decorators.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { InvalidBodyException, type JsonBodyRouteConfig, MAX_PAYLOAD_DEPTH } from '../common/json-body.js';
import { AppTokenGuard } from './app-token.guard.js';
import { IngestAcceptedDto } from './dto/ingest-response.dto.js';
import { type AuthenticatedIngestRequest, INGEST_PATH, INVALID_DATA, UNAUTHENTICATED } from './ingest-request.js';
import { IngestService } from './ingest.service.js';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A header's one value: Swagger UI, curl and clients send it once; a repeated header counts by its first. */
function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

@ApiTags('ingest')
@Controller(INGEST_PATH)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @AppTokenAuth()
  @UseGuards(AppTokenGuard)
  @RouteConfig({ invalidBodyMessage: INVALID_DATA, exactJsonObject: true } satisfies JsonBodyRouteConfig)
  @ApiOperation({
    summary: 'Send JSON to every destination of the account',
    description:
      'Answers 202 once the message and one delivery per destination are committed; delivery then happens ' +
      'in the background, at least once, with retries. The body is stored and sent exactly as received (byte for byte: ' +
      'big integers, key order and whitespace are kept). Precedence of errors: 405, then 401 (the body is not ' +
      'read without a valid token), then 400/413. A repeated `Idempotency-Key` (or `CL-X-EVENT-ID`) within 24 h ' +
      "returns the first call's message_id and delivers nothing again.",
  })
  // The headers are read from the request, not with @Headers(): Swagger would document those as required.
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 characters, unique per account for 24 h' })
  @ApiHeader({ name: 'CL-X-EVENT-ID', required: false, description: 'Alternative name for Idempotency-Key' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { event: 'order.created', id: 42, total: 9.5 } } })
  @ApiAcceptedResponse({ type: IngestAcceptedDto })
  @ApiExtraModels(ErrorResponseDto)
  @ApiBadRequestResponse({
    description:
      `The body is not a JSON object in UTF-8, nests deeper than ${MAX_PAYLOAD_DEPTH} levels, or is not application/json: ` +
      '"Invalid Data", and `reason` says what to fix',
    schema: { allOf: [{ $ref: getSchemaPath(ErrorResponseDto) }, { properties: { reason: { type: 'string' } } }] },
    example: { ...errorExample(400, INVALID_DATA), reason: 'Content-Type must be application/json' },
  })
  @ApiErrorResponse(401, 'Missing, empty or unknown CL-X-TOKEN', UNAUTHENTICATED)
  @ApiPayloadTooLargeResponse({
    description: 'Body over MAX_PAYLOAD_BYTES',
    type: ErrorResponseDto,
    example: errorExample(413, 'Request body is too large'),
  })
  // The body's text exactly as received, already checked to be a UTF-8 JSON object (see parseJsonBody).
  async receive(@Req() request: FastifyRequest, @Body() payload: unknown): Promise<IngestAcceptedDto> {
    if (typeof payload !== 'string' || !/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw new InvalidBodyException('Content-Type must be application/json');
    }
    const key = (headerValue(request, 'idempotency-key') ?? headerValue(request, 'cl-x-event-id'))?.trim() || null;
    if (key !== null && key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new BadRequestException(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    const accountId = (request.raw as AuthenticatedIngestRequest).accountId as string;
    const stored = await this.ingest.accept(accountId, payload, key);
    if (stored.accountGone) throw new UnauthorizedException(UNAUTHENTICATED);
    return { message_id: stored.messageId, status: 'accepted', destinations: stored.destinations };
  }
}
