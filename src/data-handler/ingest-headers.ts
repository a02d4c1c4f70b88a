import { BadRequestException } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { EVENT_TYPE } from '../common/event-types.js';
import { InvalidBodyException } from '../common/json-body.js';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const EVENT_TYPE_PROBLEM = 'CL-X-EVENT-TYPE must be 1 to 128 characters of A-Z a-z 0-9 . _ - :';

/** What an ingest's headers say about the message, besides who sends it. */
export interface IngestOptions {
  /** Idempotency-Key (or CL-X-EVENT-ID): a repeat within 24 h gets the first message's id. */
  idempotencyKey: string | null;
  /** CL-X-EVENT-TYPE: decides which destinations get the message. */
  eventType: string | null;
}

/** A header's one value: Swagger UI, curl and clients send it once; a repeated header counts by its first. */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An ingest's body (its text, as parseJsonBody gave it) with what its headers say. */
export interface IngestInput extends IngestOptions {
  payload: string;
}

/** The body and headers of an ingest, checked: the one reading of both routes that ingest. */
export function readIngest(headers: IncomingHttpHeaders, body: unknown): IngestInput {
  const options = readIngestHeaders(headers);
  // parseJsonBody gives the exact text of a JSON object on ingest routes; anything else came without a body.
  if (typeof body !== 'string') throw new InvalidBodyException('The body is empty: send a JSON object');
  return { payload: body, ...options };
}

/**
 * Reads and checks what an ingest (by token or by the admin on an account's behalf) says besides its body:
 * that it is JSON, its idempotency key and its event type. Blank headers count as absent.
 */
export function readIngestHeaders(headers: IncomingHttpHeaders): IngestOptions {
  if (!/^application\/json\b/i.test(headerValue(headers, 'content-type') ?? '')) {
    throw new InvalidBodyException('Content-Type must be application/json');
  }
  const idempotencyKey = (headerValue(headers, 'idempotency-key') ?? headerValue(headers, 'cl-x-event-id'))?.trim() || null;
  if (idempotencyKey !== null && idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadRequestException(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  const eventType = headerValue(headers, 'cl-x-event-type')?.trim() || null;
  if (eventType !== null && !EVENT_TYPE.test(eventType)) throw new BadRequestException(EVENT_TYPE_PROBLEM);
  return { idempotencyKey, eventType };
}
