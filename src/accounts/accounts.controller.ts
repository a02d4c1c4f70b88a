import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiErrors } from '../common/api-errors.decorator.js';
import { AdminAuth } from '../common/auth.decorators.js';
import { DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { ParseIdPipe } from '../common/id.pipe.js';
import { AccountsService, EMAIL_TAKEN } from './accounts.service.js';
import { CreateAccountDto, ReplaceAccountDto, UpdateAccountDto } from './dto/account-input.dto.js';
import { AccountQueryDto } from './dto/account-query.dto.js';
import {
  AccountPageDto,
  AccountResponseDto,
  AccountWithTokenResponseDto,
  AppSecretTokenResponseDto,
  toAccountResponse,
} from './dto/account-response.dto.js';

const accountId = new ParseIdPipe();

const ApiEmailTaken = () => ApiErrorResponse(409, 'The email is already used by another account', EMAIL_TAKEN);

@ApiTags('accounts')
@AdminAuth()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an account', description: 'The answer holds the app secret token: the only time it is shown besides rotation.' })
  @ApiCreatedResponse({ type: AccountWithTokenResponseDto })
  @ApiErrors(400)
  @ApiEmailTaken()
  async create(@Body() input: CreateAccountDto): Promise<AccountWithTokenResponseDto> {
    const { account, token } = await this.accounts.create(input);
    return { ...toAccountResponse(account), app_secret_token: token };
  }

  @Get()
  @ApiOperation({ summary: 'List accounts, oldest first, a page at a time' })
  @ApiOkResponse({ type: AccountPageDto })
  @ApiErrors(400)
  async list(@Query() query: AccountQueryDto): Promise<Page<AccountResponseDto>> {
    const rows = await this.accounts.list(query);
    return toPage(rows, query.limit ?? DEFAULT_PAGE_SIZE, toAccountResponse);
  }

  @Get(':account_id')
  @ApiOperation({ summary: 'Read an account (never its token)' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(400, 404)
  async get(@Param('account_id', accountId) id: string): Promise<AccountResponseDto> {
    return toAccountResponse(await this.accounts.get(id));
  }

  @Put(':account_id')
  @ApiOperation({ summary: 'Replace an account', description: 'email and account_name are required; an omitted website becomes null.' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(400, 404)
  @ApiEmailTaken()
  async replace(@Param('account_id', accountId) id: string, @Body() input: ReplaceAccountDto): Promise<AccountResponseDto> {
    return toAccountResponse(await this.accounts.update(id, input, true));
  }

  @Patch(':account_id')
  @ApiOperation({ summary: 'Change some fields of an account' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(400, 404)
  @ApiEmailTaken()
  async update(@Param('account_id', accountId) id: string, @Body() input: UpdateAccountDto): Promise<AccountResponseDto> {
    return toAccountResponse(await this.accounts.update(id, input, false));
  }

  @Delete(':account_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an account with its destinations, messages and deliveries' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  async remove(@Param('account_id', accountId) id: string): Promise<void> {
    await this.accounts.remove(id);
  }

  @Post(':account_id/rotate-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a new app secret token', description: 'The old token stops working at once.' })
  @ApiOkResponse({ type: AppSecretTokenResponseDto })
  @ApiErrors(400, 404)
  async rotateToken(@Param('account_id', accountId) id: string): Promise<AppSecretTokenResponseDto> {
    return { app_secret_token: await this.accounts.rotateToken(id) };
  }
}
