import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { authKindOf } from './auth.decorators.js';

/** A route as Fastify registers it: the method (`ALL` for `@All()`) and its path (`/accounts/:account_id`). */
export interface Route {
  method: string;
  url: string;
}

/**
 * Every controller route that needs the admin key, read from the metadata the guard reads (authKindOf): one
 * decision per route, so the hook that answers 401 before the body and the guard cannot disagree. Routes that
 * are not a controller's (Swagger UI, the console, ingest's 405) are not in it: they are public.
 *
 * Paths are joined as Nest joins them for this app, which has no global prefix, versioning or RouterModule;
 * AdminKeyHook checks every one against Fastify's router at start, so a path built otherwise stops the start
 * instead of leaving a route without its early 401.
 */
export function adminRoutes(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): Route[] {
  const routes: Route[] = [];
  for (const { instance, metatype } of discovery.getControllers()) {
    if (!instance || !metatype) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, metatype));
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const methodPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, handler));
      if (methodPaths.length === 0 || authKindOf(reflector, [handler, metatype]) !== 'admin') continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const controllerPath of controllerPaths) {
        for (const methodPath of methodPaths) routes.push({ method, url: joinPaths(controllerPath, methodPath) });
      }
    }
  }
  return routes;
}

function pathsOf(metadata: unknown): string[] {
  if (typeof metadata === 'string') return [metadata];
  return Array.isArray(metadata) ? metadata.filter((path): path is string => typeof path === 'string') : [];
}

const withLeadingSlash = (path: string) => (path.startsWith('/') ? path : `/${path}`);
const withoutEndSlash = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : path);

/** Nest's own joining (RoutePathFactory): `accounts` + `:account_id` is `/accounts/:account_id`, `/` + `/` is `/`. */
function joinPaths(controllerPath: string, methodPath: string): string {
  const path = withoutEndSlash(withLeadingSlash(controllerPath)) + withLeadingSlash(methodPath);
  return path === '/' ? path : withoutEndSlash(path);
}
