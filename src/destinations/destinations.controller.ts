import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator.js';
import { AdminAuth } from '../common/auth.decorators.js';
import { DEFAULT_PAGE_SIZE, type Page, PageQueryDto, toPage } from '../common/pagination.js';
import { ParseIdPipe } from '../common/id.pipe.js';
import { DestinationsService } from './destinations.service.js';
import { CreateDestinationDto, ReplaceDestinationDto, RotateSecretDto, UpdateDestinationDto } from './dto/destination-input.dto.js';
import { DestinationQueryDto } from './dto/destination-query.dto.js';
import { DestinationPageDto, DestinationResponseDto, toDestinationResponse } from './dto/destination-response.dto.js';

const uuid = new ParseIdPipe();

@ApiTags('destinations')
@AdminAuth()
@Controller('destinations')
export class DestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Post()
  @ApiOperation({ summary: 'Add a destination to an account', description: 'The server generates its signing_secret.' })
  @ApiCreatedResponse({ type: DestinationResponseDto })
  @ApiErrors(400, 404, { notFound: 'Account' })
  async create(@Body() input: CreateDestinationDto): Promise<DestinationResponseDto> {
    return toDestinationResponse(await this.destinations.create(input));
  }

  @Get()
  @ApiOperation({ summary: 'List destinations, oldest first, optionally of one account' })
  @ApiOkResponse({ type: DestinationPageDto })
  @ApiErrors(400)
  async list(@Query() query: DestinationQueryDto): Promise<Page<DestinationResponseDto>> {
    const rows = await this.destinations.list({ accountId: query.account_id, limit: query.limit, cursor: query.cursor });
    return toPage(rows, query.limit ?? DEFAULT_PAGE_SIZE, toDestinationResponse);
  }

  @Get(':destination_id')
  @ApiOperation({ summary: 'Read a destination' })
  @ApiOkResponse({ type: DestinationResponseDto })
  @ApiErrors(400, 404)
  async get(@Param('destination_id', uuid) id: string): Promise<DestinationResponseDto> {
    return toDestinationResponse(await this.destinations.get(id));
  }

  @Put(':destination_id')
  @ApiOperation({
    summary: 'Replace url, http_method and headers of a destination',
    description:
      'The controls (enabled, rate_limit, max_in_flight, event_types, retry_schedule) are optional here too: omitted, ' +
      'they stay as they are; null resets rate_limit, max_in_flight, event_types and retry_schedule to their defaults.',
  })
  @ApiOkResponse({ type: DestinationResponseDto })
  @ApiErrors(400, 404)
  async replace(@Param('destination_id', uuid) id: string, @Body() input: ReplaceDestinationDto): Promise<DestinationResponseDto> {
    return toDestinationResponse(await this.destinations.update(id, input));
  }

  @Patch(':destination_id')
  @ApiOperation({ summary: 'Change some fields of a destination' })
  @ApiOkResponse({ type: DestinationResponseDto })
  @ApiErrors(400, 404)
  async update(@Param('destination_id', uuid) id: string, @Body() input: UpdateDestinationDto): Promise<DestinationResponseDto> {
    return toDestinationResponse(await this.destinations.update(id, input));
  }

  @Post(':destination_id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Give a destination a new signing secret, with an overlap',
    description:
      'The body is optional: without `signing_secret` (no body, or `{}`) the server generates one. For SECRET_ROTATION_OVERLAP ' +
      '(24h unless configured) deliveries carry two signatures, `v1,<new> v1,<old>`, so a receiver that knows either secret ' +
      'accepts them; `previous_secret_expires_at` says until when. Rotating again during an overlap keeps the earlier secret ' +
      'signing until its own overlap ends (`v1,<newest> v1,<previous> v1,<oldest>`); at most three signatures: a third rotation ' +
      'within the overlap stops the oldest secret at once. Concurrent rotations take turns: each one keeps the secret it replaced.',
  })
  // `{}` is what "Try it out" sends: a new secret the server generates, never one printed in these docs.
  @ApiBody({ type: RotateSecretDto, required: false, examples: { generated: { summary: 'The server generates the secret', value: {} } } })
  @ApiOkResponse({ type: DestinationResponseDto })
  @ApiErrors(400, 404)
  async rotateSecret(@Param('destination_id', uuid) id: string, @Body() input: RotateSecretDto = {}): Promise<DestinationResponseDto> {
    return toDestinationResponse(await this.destinations.rotateSecret(id, input?.signing_secret ?? undefined));
  }

  @Delete(':destination_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a destination' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  async remove(@Param('destination_id', uuid) id: string): Promise<void> {
    await this.destinations.remove(id);
  }
}

/** Lives with destinations so that accounts need not know destinations (no module cycle). */
@ApiTags('accounts')
@AdminAuth()
@Controller('accounts/:account_id/destinations')
export class AccountDestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get()
  @ApiOperation({ summary: "List an account's destinations" })
  @ApiOkResponse({ type: DestinationPageDto })
  @ApiErrors(400, 404)
  async list(@Param('account_id', uuid) accountId: string, @Query() query: PageQueryDto): Promise<Page<DestinationResponseDto>> {
    const rows = await this.destinations.listForAccount(accountId, query);
    return toPage(rows, query.limit ?? DEFAULT_PAGE_SIZE, toDestinationResponse);
  }
}
