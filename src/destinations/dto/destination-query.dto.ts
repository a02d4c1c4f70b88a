import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';

export class DestinationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this account's destinations" })
  @IsOptional()
  @IsUUID('all', { message: 'account_id must be a UUID' })
  account_id?: string;
}
