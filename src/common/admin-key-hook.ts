import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AdminApiKey } from './admin-api-key.js';
import { adminRoutes } from './admin-routes.js';
import { ADMIN_KEY_REQUIRED } from './auth.decorators.js';
import { errorBody } from './http-error.filter.js';

/**
 * The admin key, checked in Fastify's onRequest phase, before the body is read: a caller without the key
 * gets its 401 without the server reading, parsing or validating a byte of what it sent (a 1 MiB JSON body
 * costs a quarter of a second of the one main thread). Ingest does the same for its token (DataHandlerModule).
 * Which routes need the key comes from adminRoutes, which reads the guard's own metadata.
 */
@Injectable()
export class AdminKeyHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly adminApiKey: AdminApiKey,
  ) {}

  /** Runs after Nest has registered the controllers' routes and before the server is ready. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    const routes = adminRoutes(this.discovery, this.scanner, this.reflector);
    const unknown = routes.filter(({ method, url }) => !fastify.hasRoute({ method: method === 'ALL' ? 'GET' : method, url }));
    if (unknown.length > 0) {
      throw new Error(`The admin key check does not find these routes in the router: ${unknown.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    }
    const needsKey = new Set(routes.map(({ method, url }) => `${method} ${url}`));
    fastify.addHook('onRequest', async (request, reply) => {
      const url = request.routeOptions.url;
      if (url === undefined) return;
      // Fastify answers HEAD with the GET route.
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      if (!needsKey.has(`${method} ${url}`) && !needsKey.has(`ALL ${url}`)) return;
      if (this.adminApiKey.authorizes(request.headers.authorization)) return;
      return reply.code(401).send(errorBody(401, ADMIN_KEY_REQUIRED));
    });
  }
}
