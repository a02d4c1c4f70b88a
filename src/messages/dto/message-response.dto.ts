import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../entities/delivery.entity.js';

/** How many deliveries GET /messages/{id} embeds: an account may have 10,000 and more destinations. */
export const MESSAGE_DELIVERIES_EMBEDDED = 100;

export class AttemptDto {
  @ApiProperty({ example: 1 })
  attempt: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: Number, nullable: true, example: 200, description: 'null when no HTTP answer came (timeout, refused, connection error)' })
  status_code: number | null;

  @ApiProperty({ example: 12 })
  duration_ms: number;

  @ApiProperty({ type: String, nullable: true, example: null })
  error: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The first KiB of the destination's answer" })
  response_body: string | null;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' })
  delivery_id: string;

  @ApiProperty({ format: 'uuid' })
  destination_id: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due; null once succeeded or failed' })
  next_attempt_at: string | null;

  @ApiProperty({ type: Number, nullable: true })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  @ApiProperty({ type: [AttemptDto] })
  history: AttemptDto[];
}

/** What every view of a message starts with. */
class MessageFieldsDto {
  @ApiProperty({ format: 'uuid' })
  message_id: string;

  @ApiProperty({ format: 'uuid' })
  account_id: string;

  @ApiProperty({ format: 'date-time' })
  received_at: string;

  @ApiProperty({ type: String, nullable: true, example: 'order.created', description: 'CL-X-EVENT-TYPE of the ingest; null when it had none' })
  event_type: string | null;
}

export class MessageDto extends MessageFieldsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { event: 'order.created', id: 42 },
    description: 'The JSON body exactly as it was received: big numbers, key order and whitespace as the client sent them',
  })
  payload: Record<string, unknown>;

  @ApiProperty({
    type: [DeliveryDto],
    description: `The first ${MESSAGE_DELIVERIES_EMBEDDED} deliveries, oldest first; the rest are at GET /messages/{message_id}/deliveries`,
  })
  deliveries: DeliveryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to GET /messages/{message_id}/deliveries for the deliveries after the embedded ones; null when there are no more',
  })
  deliveries_next_cursor: string | null;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] })
  data: DeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor: string | null;
}

export class MessageSummaryDto extends MessageFieldsDto {
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description: 'pending while any delivery is pending; else failed if any failed; else succeeded',
  })
  status: DeliveryStatus;

  @ApiProperty({ example: 2, description: 'Number of deliveries (destinations at ingest time)' })
  destinations: number;

  @ApiProperty({ example: 2 })
  succeeded: number;

  @ApiProperty({ example: 0 })
  failed: number;

  @ApiProperty({ example: 0 })
  pending: number;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageSummaryDto] })
  data: MessageSummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last' })
  next_cursor: string | null;
}

export class RetryAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  message_id: string;

  @ApiProperty({ example: 1, description: 'How many failed deliveries were made pending again' })
  retried: number;
}

export class RecoverAcceptedDto {
  @ApiProperty({ example: 1250, description: 'How many failed deliveries were made pending again' })
  recovered: number;
}

export class RecoverDryRunDto {
  @ApiProperty({ example: 1250, description: 'How many failed deliveries a recover with the same `since` would make pending now' })
  would_recover: number;
}

/** A delivery in the operators' list across accounts: where it belongs and how it stands, without its history. */
export class OperatorDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  delivery_id: string;

  @ApiProperty({ format: 'uuid', description: 'Its history is at GET /messages/{message_id}' })
  message_id: string;

  @ApiProperty({ format: 'uuid' })
  account_id: string;

  @ApiProperty({ format: 'uuid' })
  destination_id: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ example: 6 })
  attempts: number;

  @ApiProperty({ type: Number, nullable: true, example: 503, description: 'null when no HTTP answer came (or none yet)' })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  last_error: string | null;
}

export class OperatorDeliveryPageDto {
  @ApiProperty({ type: [OperatorDeliveryDto] })
  data: OperatorDeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last' })
  next_cursor: string | null;
}
