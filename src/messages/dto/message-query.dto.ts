import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches, ValidateIf } from 'class-validator';
import { EVENT_TYPE } from '../../common/event-types.js';
import { PageQueryDto } from '../../common/pagination.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../entities/delivery.entity.js';

function StatusFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ enum: DELIVERY_STATUSES, description }),
    IsOptional(),
    IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` }),
  );
}

export class MessageQueryDto extends PageQueryDto {
  @StatusFilter("Only messages with this status (see the item's status)")
  status?: DeliveryStatus;

  // No `example`: Swagger UI's "Try it out" would fill the optional filter in.
  @ApiPropertyOptional({ description: 'Only messages of this event type (exact, as sent in CL-X-EVENT-TYPE), e.g. order.created' })
  @IsOptional()
  @Matches(EVENT_TYPE, { message: 'event_type must be 1 to 128 characters of A-Z a-z 0-9 . _ - :' })
  event_type?: string;
}

export class DeliveryQueryDto extends PageQueryDto {
  @StatusFilter('Only deliveries with this status')
  status?: DeliveryStatus;
}

/** The operators' view across accounts: one status at a time, failed unless asked otherwise. */
export class OperatorDeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, default: 'failed', description: 'The deliveries with this status (failed when not given)' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;
}

export class RecoverDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-01-02T03:04:05Z',
    description: 'ISO 8601 time: deliveries of messages received at or after it are recovered',
  })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'since must be an ISO 8601 date-time, e.g. 2026-01-02T03:04:05Z' })
  since: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'true: only count what would be recovered (200 `{"would_recover": n}`), changing nothing',
  })
  // Absent is false; null is not a boolean (IsOptional would let it through as absent).
  @ValidateIf((_input: RecoverDto, value: unknown) => value !== undefined)
  @IsBoolean({ message: 'dry_run must be true or false' })
  dry_run?: boolean;
}
