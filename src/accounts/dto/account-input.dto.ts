import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUrl, Length, MaxLength, ValidateIf } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The check nearest a property runs first, and only the first failure is reported (see createValidationPipe). */
export class CreateAccountDto {
  @ApiProperty({ example: 'ops@example.com', description: 'Unique, case-insensitively; stored lower-cased' })
  @Transform(trimmed)
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ example: 'Example Ltd', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @Length(1, 200)
  @IsNotEmpty()
  @IsString()
  account_name: string;

  @ApiPropertyOptional({ example: 'https://example.com', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'website must be an http(s) URL or null' },
  )
  website?: string | null;
}

/** PUT replaces the account: email and account_name are required, an omitted website becomes null. */
export class ReplaceAccountDto extends CreateAccountDto {}

/**
 * PATCH changes only the fields given. An omitted field is left alone, but a given one is validated even
 * when null (`skipNullProperties: false`): `"email": null` is a 400, not a NOT NULL failure in the database.
 * website keeps its own @IsOptional, so null still clears it.
 */
export class UpdateAccountDto extends PartialType(CreateAccountDto, { skipNullProperties: false }) {}
