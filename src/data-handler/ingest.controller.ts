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
  ApiHeader,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponse, errorExample } from '../common/api-errors.decorator.js';
import { AppTokenAuth } from '../common/auth.decorators.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { AppTokenGuard } from './app-token.guard.js';
import { IngestAcceptedDto } from './dto/ingest-response.dto.js';
import { type AuthenticatedIngestRequest, INGEST_PATH, INVALID_DATA, UNAUTHENTICATED } from './ingest-request.js';
import { IngestService } from './ingest.service.js';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The exact text that is stored, signed and sent. Nesting too deep to serialise is the client's error. */
function serialize(body: Record<string, unknown>): string {
  try {
    return JSON.stringify(body);
  } catch {
    throw new BadRequestException(INVALID_DATA);
  }
}

/** A header's one value: Swagger UI, curl and clients send it once; a repeated header counts by its first. */
function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isJsonObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

@ApiTags('ingest')
@Controller(INGEST_PATH)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @AppTokenAuth()
  @UseGuards(AppTokenGuard)
  @RouteConfig({ invalidBodyMessage: INVALID_DATA })
  @ApiOperation({
    summary: 'Send JSON to every destination of the account',
    description:
      'Answers 202 once the message and one delivery per destination are committed; delivery then happens ' +
      'in the background, at least once, with retries. Precedence of errors: 405, then 401 (the body is not ' +
      'read without a valid token), then 400/413. A repeated `Idempotency-Key` (or `CL-X-EVENT-ID`) within 24 h ' +
      "returns the first call's message_id and delivers nothing again.",
  })
  // The headers are read from the request, not with @Headers(): Swagger would document those as required.
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 characters, unique per account for 24 h' })
  @ApiHeader({ name: 'CL-X-EVENT-ID', required: false, description: 'Alternative name for Idempotency-Key' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { event: 'order.created', id: 42, total: 9.5 } } })
  @ApiAcceptedResponse({ type: IngestAcceptedDto })
  @ApiBadRequestResponse({
    description: 'Body not a JSON object, or not application/json: "Invalid Data"',
    type: ErrorResponseDto,
    example: errorExample(400, INVALID_DATA),
  })
  @ApiErrorResponse(401, 'Missing, empty or unknown CL-X-TOKEN', UNAUTHENTICATED)
  @ApiPayloadTooLargeResponse({
    description: 'Body over MAX_PAYLOAD_BYTES',
    type: ErrorResponseDto,
    example: errorExample(413, 'Request body is too large'),
  })
  async receive(@Req() request: FastifyRequest, @Body() body: unknown): Promise<IngestAcceptedDto> {
    if (!isJsonObject(body) || !/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw new BadRequestException(INVALID_DATA);
    }
    const key = (headerValue(request, 'idempotency-key') ?? headerValue(request, 'cl-x-event-id'))?.trim() || null;
    if (key !== null && key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new BadRequestException(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    const accountId = (request.raw as AuthenticatedIngestRequest).accountId as string;
    const stored = await this.ingest.accept(accountId, serialize(body), key);
    if (stored.accountGone) throw new UnauthorizedException(UNAUTHENTICATED);
    return { message_id: stored.messageId, status: 'accepted', destinations: stored.destinations };
  }
}
