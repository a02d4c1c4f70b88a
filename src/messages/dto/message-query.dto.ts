import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
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
}

export class DeliveryQueryDto extends PageQueryDto {
  @StatusFilter('Only deliveries with this status')
  status?: DeliveryStatus;
}
