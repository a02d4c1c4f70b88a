import { ApiProperty, PickType } from '@nestjs/swagger';
import { DestinationResponseDto } from '../../destinations/dto/destination-response.dto.js';

export class AttemptRateDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-02T03:04:10.000Z', description: 'Start of the 10 s the figures are of' })
  start: string;

  @ApiProperty({ example: 41.5, description: 'Attempts per second answered with 2xx, averaged over the 10 s (so far, for the current ones)' })
  succeeded: number;

  @ApiProperty({ example: 0.2, description: 'Attempts per second that did not succeed (other status, timeout, connection error)' })
  failed: number;
}

export class DisabledDestinationDto extends PickType(DestinationResponseDto, ['destination_id', 'account_id', 'url', 'http_method'] as const) {
  @ApiProperty({ example: 'failing since 2026-01-02T03:04:05.000Z: HTTP 503' })
  disabled_reason: string;

  @ApiProperty({ format: 'date-time' })
  disabled_at: string;
}

export class DisabledDestinationsDto {
  @ApiProperty({ example: 1, description: 'How many destinations are disabled automatically (not by an operator)' })
  count: number;

  @ApiProperty({ type: [DisabledDestinationDto], description: 'The most recently disabled ones, at most 20' })
  data: DisabledDestinationDto[];
}

export class OverviewDto {
  @ApiProperty({ format: 'date-time' })
  generated_at: string;

  @ApiProperty({ example: 12, description: 'Deliveries waiting for a first or next attempt' })
  pending: number;

  @ApiProperty({ example: 3, description: 'Deliveries that failed after their last retry (until retried or recovered)' })
  failed: number;

  @ApiProperty({
    type: [AttemptRateDto],
    description: 'Delivery attempts per second, in 10 s steps over the last 5 minutes, oldest first (the last is the current 10 s)',
  })
  attempts_per_second: AttemptRateDto[];

  @ApiProperty({ type: DisabledDestinationsDto })
  disabled_destinations: DisabledDestinationsDto;
}
