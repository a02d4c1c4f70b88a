import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

export const AUTH_KIND = 'data-pusher:auth-kind';
export type AuthKind = 'admin' | 'public' | 'app-token';

export const ADMIN_SECURITY_SCHEME = 'admin-api-key';
export const APP_TOKEN_SECURITY_SCHEME = 'app-secret-token';

/**
 * Management routes: `Authorization: Bearer <ADMIN_API_KEY>`. The Swagger annotation and the guard's
 * metadata come from one decorator so they cannot drift apart. Routes without any auth decorator are
 * treated as admin routes too: forgetting the decorator fails closed.
 */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'admin' satisfies AuthKind),
    ApiBearerAuth(ADMIN_SECURITY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing or wrong admin API key', type: ErrorResponseDto }),
  );
}

/** Routes anyone may call (health, docs). */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(AUTH_KIND, 'public' satisfies AuthKind);
}

/** Ingest: the account's `CL-X-TOKEN`, checked by the data handler's own guard instead of the admin key. */
export function AppTokenAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'app-token' satisfies AuthKind),
    ApiSecurity(APP_TOKEN_SECURITY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing, empty or unknown CL-X-TOKEN', type: ErrorResponseDto }),
  );
}
