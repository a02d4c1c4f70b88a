import { Body, Controller, HttpCode, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponse, errorExample } from '../common/api-errors.decorator.js';
import { AppTokenAuth } from '../common/auth.decorators.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { AppTokenGuard } from './app-token.guard.js';
import type { IngestAcceptedDto } from './dto/ingest-response.dto.js';
import { INGEST_DESCRIPTION, IngestRoute } from './ingest-api.decorator.js';
import { readIngest } from './ingest-headers.js';
import { type AuthenticatedIngestRequest, INGEST_PATH, TOO_MANY_REQUESTS, UNAUTHENTICATED } from './ingest-request.js';
import { IngestService } from './ingest.service.js';

@ApiTags('ingest')
@Controller(INGEST_PATH)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @AppTokenAuth()
  @UseGuards(AppTokenGuard)
  @IngestRoute()
  @ApiOperation({
    summary: 'Send JSON to every destination of the account',
    description:
      `${INGEST_DESCRIPTION} Precedence of errors: 405, then 401 (the body is not read without a valid token), then 429 ` +
      "(the account's ingest_rate_limit, else INGEST_RATE_LIMIT; also before the body is read), then 400/413.",
  })
  @ApiErrorResponse(401, 'Missing, empty or unknown CL-X-TOKEN', UNAUTHENTICATED)
  @ApiResponse({
    status: 429,
    description: "Over the account's ingest rate limit: wait the `Retry-After` seconds and send again",
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', example: 1 } } },
    type: ErrorResponseDto,
    example: errorExample(429, TOO_MANY_REQUESTS),
  })
  // The body's text exactly as received, already checked to be a UTF-8 JSON object (see parseJsonBody).
  async receive(@Req() request: FastifyRequest, @Body() body: unknown): Promise<IngestAcceptedDto> {
    const input = readIngest(request.headers, body);
    const account = (request.raw as AuthenticatedIngestRequest).account;
    if (!account) throw new UnauthorizedException(UNAUTHENTICATED);
    const stored = await this.ingest.accept(account.id, input);
    if (stored.accountGone) throw new UnauthorizedException(UNAUTHENTICATED);
    return { message_id: stored.messageId, status: 'accepted', destinations: stored.destinations };
  }
}
