import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../common/auth.decorators.js';
import { OverviewDto } from './dto/overview.dto.js';
import { OverviewService } from './overview.service.js';

@ApiTags('overview')
@AdminAuth()
@Controller('overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: 'Pending and failed deliveries, attempts per second over the last minutes, auto-disabled destinations',
    description:
      "The admin console's overview, from the database, so every api process answers the same in scale-out mode " +
      '(unlike /metrics, which is per process). Cheap enough to poll every few seconds.',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }
}
