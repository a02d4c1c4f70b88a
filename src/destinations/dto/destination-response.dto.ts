import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../../common/iso-time.js';
import { HTTP_METHODS, type Destination, type HttpMethod } from '../entities/destination.entity.js';
import { overlapEndsAt } from '../secret-rotation.js';

export class DestinationResponseDto {
  @ApiProperty({ format: 'uuid' })
  destination_id: string;

  @ApiProperty({ format: 'uuid' })
  account_id: string;

  @ApiProperty({ example: 'https://hooks.example.com/data-pusher' })
  url: string;

  @ApiProperty({ enum: HTTP_METHODS, example: 'POST' })
  http_method: HttpMethod;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { APP_ID: '1234APPID1234' } })
  headers: Record<string, string>;

  // No example: a secret printed in the public docs is one somebody will use (see RotateSecretDto).
  @ApiProperty({
    description: 'Verify the webhook-signature header of deliveries with it (Standard Webhooks): `whsec_` + base64 of random bytes',
  })
  signing_secret: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description:
      'Read-only. Set by POST /destinations/{id}/rotate-secret: until then deliveries are signed with earlier secrets too ' +
      '(space-separated signatures in webhook-signature, newest first: two after one rotation, three when it was rotated again ' +
      'within the overlap; each earlier secret signs until its own overlap ends, and this is when the last one does). ' +
      'null when no overlap is running.',
  })
  previous_secret_expires_at: string | null;

  @ApiProperty({
    type: [String],
    nullable: true,
    example: null,
    description: 'Event-type patterns of the messages it gets (exact, `prefix.*`, `*`); null: every message',
  })
  event_types: string[] | null;

  @ApiProperty({ example: true, description: 'false: no new deliveries; pending ones wait until it is enabled again' })
  enabled: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Read-only. Null while enabled; "manual" when disabled through the API, or why it was auto-disabled (e.g. "failing since 2026-01-02T03:04:05.000Z: HTTP 503")',
  })
  disabled_reason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Read-only. When it was disabled; null while enabled' })
  disabled_at: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 50, description: 'Attempts per second across all workers; null: no limit' })
  rate_limit: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Attempts in flight at once per worker process; null: the server default DESTINATION_MAX_IN_FLIGHT (16 unless configured)',
  })
  max_in_flight: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1s,10s,1m',
    description: "Its own delays before each retry (\"\" = no retry); null: the server's RETRY_SCHEDULE",
  })
  retry_schedule: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

export class DestinationPageDto {
  @ApiProperty({ type: [DestinationResponseDto] })
  data: DestinationResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor: string | null;
}

export function toDestinationResponse(destination: Destination): DestinationResponseDto {
  const overlapEnds = overlapEndsAt(destination, Date.now());
  return {
    destination_id: destination.id,
    account_id: destination.accountId,
    url: destination.url,
    http_method: destination.httpMethod,
    headers: destination.headers,
    signing_secret: destination.signingSecret,
    previous_secret_expires_at: isoTime(overlapEnds),
    event_types: destination.eventTypes,
    enabled: destination.enabled,
    disabled_reason: destination.disabledReason,
    disabled_at: isoTime(destination.disabledAt),
    rate_limit: destination.rateLimit,
    max_in_flight: destination.maxInFlight,
    retry_schedule: destination.retrySchedule,
    created_at: isoTime(destination.createdAt),
    updated_at: isoTime(destination.updatedAt),
  };
}
