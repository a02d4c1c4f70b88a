import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';

export class AccountQueryDto extends PageQueryDto {
  // No `example`: Swagger UI's "Try it out" would fill the optional filter in, and the list would come back empty.
  @ApiPropertyOptional({ description: 'Only the account with this email (any case), e.g. ops@example.com' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail({}, { message: 'email must be a valid email address' })
  email?: string;
}
