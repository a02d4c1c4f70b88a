import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiHeader,
  ApiPayloadTooLargeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { errorExample } from '../common/api-errors.decorator.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { type JsonBodyRouteConfig, MAX_PAYLOAD_DEPTH } from '../common/json-body.js';
import { IngestAcceptedDto } from './dto/ingest-response.dto.js';
import { EVENT_TYPE_PROBLEM, MAX_IDEMPOTENCY_KEY_LENGTH } from './ingest-headers.js';
import { IDEMPOTENCY_CONFLICT, INVALID_DATA, STILL_STORING } from './ingest-request.js';

/**
 * What both ingest routes (by token, and by the admin on an account's behalf) take and answer: the exact body
 * handling and its Swagger description, kept in one place so the two cannot drift apart.
 */
export function IngestRoute(): MethodDecorator {
  return applyDecorators(
    RouteConfig({ invalidBodyMessage: INVALID_DATA, exactJsonObject: true } satisfies JsonBodyRouteConfig),
    // The headers are read from the request, not with @Headers(): Swagger would document those as required.
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        `Up to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, unique per account for 24 h: a repeat with the same body gets the first message_id ` +
        'and delivers nothing again; with a different body, 409',
    }),
    ApiHeader({ name: 'CL-X-EVENT-ID', required: false, description: 'Alternative name for Idempotency-Key' }),
    ApiHeader({
      name: 'CL-X-EVENT-TYPE',
      required: false,
      description:
        'The event type, 1–128 characters of `A-Z a-z 0-9 . _ - :` (e.g. `order.created`). Only destinations whose `event_types` ' +
        'match get the message (a message without a type goes only to destinations with `event_types: null`); it is sent on as ' +
        'header `cl-x-event-type` and shown as the message\'s `event_type`.',
      // No example: Swagger UI would send it with every try.
    }),
    ApiBody({ schema: { type: 'object', additionalProperties: true, example: { event: 'order.created', id: 42, total: 9.5 } } }),
    ApiAcceptedResponse({ type: IngestAcceptedDto }),
    ApiExtraModels(ErrorResponseDto),
    ApiBadRequestResponse({
      description:
        `The body is not a JSON object in UTF-8, nests deeper than ${MAX_PAYLOAD_DEPTH} levels, or is not application/json: ` +
        '"Invalid Data", and `reason` says what to fix. A bad `CL-X-EVENT-TYPE` or `Idempotency-Key` gets a 400 whose `message` says ' +
        `what is wrong (e.g. "${EVENT_TYPE_PROBLEM}").`,
      schema: { allOf: [{ $ref: getSchemaPath(ErrorResponseDto) }, { properties: { reason: { type: 'string' } } }] },
      example: { ...errorExample(400, INVALID_DATA), reason: 'Content-Type must be application/json' },
    }),
    ApiConflictResponse({
      description:
        'The Idempotency-Key (or CL-X-EVENT-ID) was used within 24 h with a different body: nothing was stored. Also 409, with ' +
        `"${STILL_STORING}", while the first message with that key (to more than 1,000 destinations) is still being stored.`,
      type: ErrorResponseDto,
      example: errorExample(409, IDEMPOTENCY_CONFLICT),
    }),
    ApiPayloadTooLargeResponse({
      description: 'Body over MAX_PAYLOAD_BYTES',
      type: ErrorResponseDto,
      example: errorExample(413, 'Request body is too large'),
    }),
  );
}

export const INGEST_DESCRIPTION =
  'Answers 202 once the message and one delivery per enabled destination whose `event_types` match are committed; delivery ' +
  'then happens in the background, at least once, with retries. The body is stored and sent exactly as received (byte for byte: ' +
  'big integers, key order and whitespace are kept). A repeated `Idempotency-Key` (or `CL-X-EVENT-ID`) within 24 h ' +
  "with the same body returns the first call's message_id and delivers nothing again; with a different body it is a 409 and " +
  'nothing is stored.';
