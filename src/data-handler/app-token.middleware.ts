import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AppTokenGuard } from './app-token.guard.js';
import type { AuthenticatedIngestRequest } from './ingest-request.js';

/** Runs the token check in Fastify's onRequest phase, ahead of body parsing (see AppTokenGuard). */
@Injectable()
export class AppTokenMiddleware implements NestMiddleware {
  constructor(private readonly guard: AppTokenGuard) {}

  async use(request: AuthenticatedIngestRequest, _response: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    await this.guard.authenticate(request);
    next();
  }
}
