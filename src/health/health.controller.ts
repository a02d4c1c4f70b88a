import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  type HealthIndicatorResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiErrorResponse } from '../common/api-errors.decorator.js';
import { Public } from '../common/auth.decorators.js';
import { StorageStatus } from '../database/storage-status.js';
import { DeliveryQueue } from '../delivery/queue/delivery-queue.js';

const ALL_UP = { database: { status: 'up' }, storage: { status: 'up' }, queue: { status: 'up' } };

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly queue: DeliveryQueue,
    private readonly storage: StorageStatus,
  ) {}

  @Get()
  // Terminus documents the answers itself only where it can require() @nestjs/swagger (not under Jest on Node
  // 20), and documents a 503 that is not the one this route gives: the docs served would differ from those
  // tested, and be wrong. These are the real answers.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({
    description: 'Every check passed',
    schema: {
      type: 'object',
      example: { status: 'ok', info: ALL_UP, error: {}, details: ALL_UP },
    },
  })
  @ApiErrorResponse(503, 'A check failed: one line per failing check', ['storage: the database cannot write: disk full (SQLITE_FULL)'])
  @ApiOperation({
    summary: '200 when the database answers and can write, and the delivery queue answers; 503 otherwise; no auth',
    description:
      'A 503 is in the error shape, its `message` one line per failing check (`database`, `storage`, `queue`) with the ' +
      'reason. `storage` fails while the database cannot write its files (disk full): ingest and other writes answer 503 ' +
      'with Retry-After meanwhile; it comes back by itself once a write succeeds again.',
  })
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.checkAll();
    } catch (error) {
      throw error instanceof ServiceUnavailableException ? new ServiceUnavailableException(failures(error)) : error;
    }
  }

  private checkAll(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 3000 }),
      async () => {
        const indicator = this.indicators.check('storage');
        const problem = await this.storage.check();
        if (!problem) return indicator.up();
        return indicator.down({
          message: `the database cannot write: disk full (${problem.code})`,
          since: new Date(problem.since).toISOString(),
        });
      },
      async () => {
        const indicator = this.indicators.check('queue');
        try {
          await this.queue.ping();
          return indicator.up();
        } catch (error) {
          return indicator.down({ message: error instanceof Error ? error.message : String(error) });
        }
      },
    ]);
  }
}

/** Terminus' failed result as the error shape's message: which checks failed, and why. */
function failures(error: ServiceUnavailableException): string[] {
  const failed = (error.getResponse() as Partial<HealthCheckResult>).error ?? ({} as HealthIndicatorResult);
  const lines = Object.entries(failed).map(([name, detail]) => (typeof detail?.message === 'string' ? `${name}: ${detail.message}` : `${name}: down`));
  return lines.length ? lines : ['Service Unavailable'];
}
