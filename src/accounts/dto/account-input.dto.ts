import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUrl, Length, MaxLength, ValidateIf } from 'class-validator';
import { IsIntegerInRange } from '../../common/is-integer-in-range.js';

/** The highest ingest_rate_limit (requests per second) an account may have. */
export const INGEST_RATE_LIMIT_MAX = 1_000_000;

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

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: INGEST_RATE_LIMIT_MAX,
    example: 100,
    description:
      'At most this many ingest requests per second for this account, across all api processes; above it ingest answers 429 ' +
      'with Retry-After. null (or omitted on create and PUT): the server default INGEST_RATE_LIMIT (unlimited unless configured). ' +
      'Sends by the admin (POST /accounts/{id}/messages) do not count.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsIntegerInRange(1, INGEST_RATE_LIMIT_MAX, { message: `ingest_rate_limit must be an integer from 1 to ${INGEST_RATE_LIMIT_MAX}, or null` })
  ingest_rate_limit?: number | null;
}

/** PUT replaces the account: email and account_name are required, an omitted website or ingest_rate_limit becomes null. */
export class ReplaceAccountDto extends CreateAccountDto {}

/**
 * PATCH changes only the fields given. An omitted field is left alone, but a given one is validated even
 * when null (`skipNullProperties: false`): `"email": null` is a 400, not a NOT NULL failure in the database.
 * website keeps its own @IsOptional, so null still clears it.
 */
export class UpdateAccountDto extends PartialType(CreateAccountDto, { skipNullProperties: false }) {}
