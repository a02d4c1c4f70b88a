import type { HttpModuleOptions } from '@nestjs/axios';
import { Agent } from 'undici';
import type { AppConfig } from '../config/environment.js';
import { guardedLookup } from './guarded-lookup.js';
import { undiciAdapter } from './undici-adapter.js';

/** HttpService's configuration for deliveries: undici underneath, address guard, no redirects, any status. */
export function deliveryHttpOptions(config: AppConfig): HttpModuleOptions {
  const agent = new Agent({
    connect: {
      timeout: config.deliveryTimeoutMs,
      ...(config.allowPrivateDestinations ? {} : { lookup: guardedLookup }),
    },
    headersTimeout: config.deliveryTimeoutMs,
    bodyTimeout: config.deliveryTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  return {
    adapter: undiciAdapter(agent),
    maxRedirects: 0,
    // One attempt's whole time limit, enforced by the adapter.
    timeout: config.deliveryTimeoutMs,
    // Every status is an answer to record; the dispatcher decides what counts as success.
    validateStatus: () => true,
    // Not axios' default `Accept: application/json, text/plain, */*`: a receiver gets our headers and its
    // destination's only (a destination's own Accept still goes out).
    headers: { Accept: false },
    // The body is already the exact JSON text that was signed: axios must not touch it.
    transformRequest: [(data: string) => data],
    transformResponse: [(data: string) => data],
  };
}
