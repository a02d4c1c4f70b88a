import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import { normalizeId } from '../../common/id.pipe.js';

export class DestinationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this account's destinations" })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeId(value))
  @IsUUID('all', { message: 'account_id must be a UUID' })
  account_id?: string;
}
