import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AdminApiKey } from './admin-api-key.js';
import { ADMIN_KEY_REQUIRED, AUTH_KIND, type AuthKind } from './auth.decorators.js';

/**
 * The global guard: admin key on every route unless the route says otherwise. App-token routes are left to
 * their own guard (the data handler's), which runs after this one.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly adminApiKey: AdminApiKey,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const kind =
      this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [context.getHandler(), context.getClass()]) ??
      'admin';
    if (kind !== 'admin') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !this.adminApiKey.matches(match[1])) {
      throw new UnauthorizedException(ADMIN_KEY_REQUIRED);
    }
    return true;
  }
}
