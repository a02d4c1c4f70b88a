import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AdminApiKey } from './admin-api-key.js';
import { ADMIN_KEY_REQUIRED, authKindOf } from './auth.decorators.js';

/**
 * The global guard: admin key on every route unless the route says otherwise. App-token routes are left to
 * their own guard (the data handler's), which runs after this one. AdminKeyHook has already refused a
 * request without the key before its body was read; this second look (one comparison) keeps a route safe
 * should the hook ever miss it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly adminApiKey: AdminApiKey,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (authKindOf(this.reflector, [context.getHandler(), context.getClass()]) !== 'admin') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.adminApiKey.authorizes(request.headers.authorization)) throw new UnauthorizedException(ADMIN_KEY_REQUIRED);
    return true;
  }
}
