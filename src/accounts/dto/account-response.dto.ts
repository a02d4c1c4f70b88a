import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../../common/iso-time.js';
import type { Account } from '../entities/account.entity.js';

export class AccountResponseDto {
  @ApiProperty({ format: 'uuid', example: '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b' })
  account_id: string;

  @ApiProperty({ example: 'ops@example.com' })
  email: string;

  @ApiProperty({ example: 'Example Ltd' })
  account_name: string;

  @ApiProperty({ example: 'https://example.com', nullable: true, type: String })
  website: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'Ingest requests per second; null: the server default INGEST_RATE_LIMIT (unlimited unless configured)',
  })
  ingest_rate_limit: number | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

export class AccountWithTokenResponseDto extends AccountResponseDto {
  @ApiProperty({
    description: 'The app secret token for CL-X-TOKEN. Shown only here and on rotation: store it now.',
  })
  app_secret_token: string;
}

export class AppSecretTokenResponseDto {
  @ApiProperty({ description: 'The new token; the old one stopped working.' })
  app_secret_token: string;
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountResponseDto] })
  data: AccountResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor: string | null;
}

export function toAccountResponse(account: Account): AccountResponseDto {
  return {
    account_id: account.id,
    email: account.email,
    account_name: account.accountName,
    website: account.website,
    ingest_rate_limit: account.ingestRateLimit,
    created_at: isoTime(account.createdAt),
    updated_at: isoTime(account.updatedAt),
  };
}
