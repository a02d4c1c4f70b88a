import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccountsService, type TokenAccount } from '../accounts/accounts.service.js';
import { type AuthenticatedIngestRequest, TOKEN_HEADER, UNAUTHENTICATED } from './ingest-request.js';

/**
 * Resolves the account from `CL-X-TOKEN` (any case: Node lower-cases header names). It runs twice over: in
 * a Fastify onRequest hook before the body is read (see DataHandlerModule), so that an unauthenticated
 * request never has its body parsed or size-checked, and as the route's guard, which finds it done.
 */
@Injectable()
export class AppTokenGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticate(context.switchToHttp().getRequest<FastifyRequest>().raw);
    return true;
  }

  async authenticate(request: AuthenticatedIngestRequest): Promise<TokenAccount> {
    if (request.account) return request.account;
    const header = request.headers[TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    const account = token ? await this.accounts.findByToken(token.trim()) : null;
    if (!account) throw new UnauthorizedException(UNAUTHENTICATED);
    request.account = account;
    return account;
  }
}
