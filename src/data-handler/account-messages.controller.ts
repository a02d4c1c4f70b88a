import { Body, Controller, HttpCode, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AccountsService } from '../accounts/accounts.service.js';
import { ApiErrorResponse } from '../common/api-errors.decorator.js';
import { AdminAuth } from '../common/auth.decorators.js';
import { ParseIdPipe } from '../common/id.pipe.js';
import type { IngestAcceptedDto } from './dto/ingest-response.dto.js';
import { INGEST_DESCRIPTION, IngestRoute } from './ingest-api.decorator.js';
import { readIngest } from './ingest-headers.js';
import { IngestService } from './ingest.service.js';

const accountId = new ParseIdPipe();

/** The admin sends on an account's behalf (operators, the console's "send test message"): ingest without the token. */
@ApiTags('delivery log')
@AdminAuth()
@Controller('accounts')
export class AccountMessagesController {
  constructor(
    private readonly ingest: IngestService,
    private readonly accounts: AccountsService,
  ) {}

  @Post(':account_id/messages')
  @HttpCode(202)
  @IngestRoute()
  @ApiOperation({
    summary: "Send a message on an account's behalf",
    description:
      `The same as POST /server/incoming_data with the account's token, with the admin key instead: same body, headers and answers. ${INGEST_DESCRIPTION} ` +
      "It does not count against the account's ingest rate limit (an operator's test must get through while a flood is held back).",
  })
  @ApiErrorResponse(404, 'No account with this id', 'Account 0196b3c2-7f4e-7a51-9c3d-5e6f7a8b9c0d not found')
  async send(@Param('account_id', accountId) id: string, @Req() request: FastifyRequest, @Body() body: unknown): Promise<IngestAcceptedDto> {
    const input = readIngest(request.headers, body);
    await this.accounts.assertExists(id);
    const stored = await this.ingest.accept(id, input);
    if (stored.accountGone) throw new NotFoundException(`Account ${id} not found`);
    return { message_id: stored.messageId, status: 'accepted', destinations: stored.destinations };
  }
}
