import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../common/api-errors.decorator.js';
import { AdminAuth } from '../common/auth.decorators.js';
import { ParseIdPipe } from '../common/id.pipe.js';
import type { Page } from '../common/pagination.js';
import { DeliveryQueryDto, MessageQueryDto, OperatorDeliveryQueryDto, RecoverDto } from './dto/message-query.dto.js';
import {
  type DeliveryDto,
  DeliveryPageDto,
  MESSAGE_DELIVERIES_EMBEDDED,
  MessageDto,
  MessagePageDto,
  type MessageSummaryDto,
  type OperatorDeliveryDto,
  OperatorDeliveryPageDto,
  RecoverAcceptedDto,
  RecoverDryRunDto,
  RetryAcceptedDto,
} from './dto/message-response.dto.js';
import { MessagesService } from './messages.service.js';

const uuid = new ParseIdPipe();

@ApiTags('delivery log')
@AdminAuth()
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('messages/:message_id')
  @ApiOperation({ summary: `A message with its first ${MESSAGE_DELIVERIES_EMBEDDED} deliveries and their full attempt history` })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 404)
  // The service gives JSON text (the payload in it as received); Fastify sends a string of this type as it is.
  @Header('Content-Type', 'application/json; charset=utf-8')
  get(@Param('message_id', uuid) id: string): Promise<string> {
    return this.messages.get(id);
  }

  @Get('messages/:message_id/deliveries')
  @ApiOperation({
    summary: 'The deliveries of a message, oldest first, optionally by status',
    description: 'Pages through all of them (an account may have 10,000 destinations and more), each with its attempt history.',
  })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiErrors(400, 404)
  listDeliveries(@Param('message_id', uuid) id: string, @Query() query: DeliveryQueryDto): Promise<Page<DeliveryDto>> {
    return this.messages.listDeliveries(id, query);
  }

  @Get('deliveries')
  @ApiOperation({
    summary: 'Deliveries of every account with one status (failed unless asked otherwise), newest first',
    description:
      "The operators' view across accounts, e.g. every failed delivery: each with its message, account and destination. " +
      'The history of one is at GET /messages/{message_id}; POST /messages/{message_id}/retry sends its failed deliveries again.',
  })
  @ApiOkResponse({ type: OperatorDeliveryPageDto })
  @ApiErrors(400)
  listAll(@Query() query: OperatorDeliveryQueryDto): Promise<Page<OperatorDeliveryDto>> {
    return this.messages.listAll(query);
  }

  @Get('accounts/:account_id/messages')
  @ApiOperation({ summary: "An account's messages, newest first, optionally by status and event type" })
  @ApiOkResponse({ type: MessagePageDto })
  @ApiErrors(400, 404, { notFound: 'Account' })
  list(@Param('account_id', uuid) accountId: string, @Query() query: MessageQueryDto): Promise<Page<MessageSummaryDto>> {
    return this.messages.listForAccount(accountId, query);
  }

  @Post('messages/:message_id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send the failed deliveries of a message again',
    description: 'Each failed delivery becomes pending and gets one more attempt at once.',
  })
  @ApiAcceptedResponse({ type: RetryAcceptedDto })
  @ApiErrors(400, 404)
  async retry(@Param('message_id', uuid) id: string): Promise<RetryAcceptedDto> {
    return { message_id: id, retried: await this.messages.retry(id) };
  }
}

/** Recovery after an outage is a retry of many messages at once, so it lives with the delivery log. */
@ApiTags('destinations')
@AdminAuth()
@Controller('destinations')
export class DestinationRecoveryController {
  constructor(private readonly messages: MessagesService) {}

  @Post(':destination_id/recover')
  @HttpCode(202)
  @ApiOperation({
    summary: "Send a destination's failed deliveries again, after an outage (or, with dry_run, count them)",
    description:
      'Every `failed` delivery of the destination whose message arrived at or after `since` becomes `pending`, due now, and ' +
      'follows RETRY_SCHEDULE from its start again (attempts and their history keep counting). Answers 202 once all are pending. ' +
      'A disabled destination keeps them waiting until it is enabled again. ' +
      'With `"dry_run": true` nothing changes: 200 with how many it would recover now.',
  })
  @ApiAcceptedResponse({ type: RecoverAcceptedDto })
  @ApiOkResponse({ type: RecoverDryRunDto, description: 'dry_run: the count, nothing changed' })
  @ApiErrors(400, 404)
  async recover(
    @Param('destination_id', uuid) id: string,
    @Body() input: RecoverDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecoverAcceptedDto | RecoverDryRunDto> {
    const since = Date.parse(input.since);
    if (input.dry_run) {
      const wouldRecover = await this.messages.countRecoverable(id, since);
      reply.status(200);
      return { would_recover: wouldRecover };
    }
    return { recovered: await this.messages.recover(id, since) };
  }
}
