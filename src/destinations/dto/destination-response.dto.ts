import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../../common/iso-time.js';
import { HTTP_METHODS, type Destination, type HttpMethod } from '../entities/destination.entity.js';

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

  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Verify the webhook-signature header of deliveries with it (Standard Webhooks)',
  })
  signing_secret: string;

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
  return {
    destination_id: destination.id,
    account_id: destination.accountId,
    url: destination.url,
    http_method: destination.httpMethod,
    headers: destination.headers,
    signing_secret: destination.signingSecret,
    created_at: isoTime(destination.createdAt),
    updated_at: isoTime(destination.updatedAt),
  };
}
