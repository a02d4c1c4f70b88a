import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponse } from './api-errors.decorator.js';

export const AUTH_KIND = 'data-pusher:auth-kind';
export type AuthKind = 'admin' | 'public' | 'app-token';

export const ADMIN_SECURITY_SCHEME = 'admin-api-key';
export const APP_TOKEN_SECURITY_SCHEME = 'app-secret-token';

/** The 401 of every management route. */
export const ADMIN_KEY_REQUIRED = 'A valid admin API key is required: Authorization: Bearer <ADMIN_API_KEY>';

/**
 * Management routes: `Authorization: Bearer <ADMIN_API_KEY>`. The Swagger annotation and the guard's
 * metadata come from one decorator so they cannot drift apart. Routes without any auth decorator are
 * treated as admin routes too: forgetting the decorator fails closed.
 */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'admin' satisfies AuthKind),
    ApiBearerAuth(ADMIN_SECURITY_SCHEME),
    ApiErrorResponse(401, 'Missing or wrong admin API key', ADMIN_KEY_REQUIRED),
  );
}

/** Routes anyone may call (health, docs). */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(AUTH_KIND, 'public' satisfies AuthKind);
}

/**
 * Ingest: the account's `CL-X-TOKEN`, checked by the data handler's own guard instead of the admin key
 * (which also documents its 401, with the message the contract gives it).
 */
export function AppTokenAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTH_KIND, 'app-token' satisfies AuthKind), ApiSecurity(APP_TOKEN_SECURITY_SCHEME));
}

/**
 * The auth a route's decorators give it, the method's over its controller's. Both the guard and the
 * before-the-body hook (AdminKeyHook) ask this one function, so they cannot disagree about a route.
 */
export function authKindOf(reflector: Reflector, handlerAndController: RouteTargets): AuthKind {
  return reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, handlerAndController) ?? 'admin';
}

/** `[handler, controller]`: a route's method and its controller class, as Nest's ExecutionContext gives them. */
type RouteTargets = Parameters<Reflector['getAllAndOverride']>[1];
