import { AsyncResource } from 'node:async_hooks';

/**
 * The async context of the process itself, captured when this module loads (before any request): no
 * request's AsyncLocalStorage stores are set in it.
 */
const processContext = new AsyncResource('DataPusherBackground', { requireManualDestroy: true });

/**
 * Runs `work` in the process's own async context instead of the caller's. Timers, promises and callbacks
 * started inside it belong to no request.
 *
 * Why: nestjs-pino keeps each request's logger (and with it the request id) in an AsyncLocalStorage, and
 * Node hands that store on to everything started during the request: a setImmediate that collects a micro
 * batch, a timer of a group commit, the wake-up of the delivery scheduler. Shared work started that way ran,
 * and logged, as part of whichever request happened to start it ("Recording an attempt failed" tagged with an
 * unrelated ingest's id). Work that serves many requests, or none, starts here instead.
 */
export function inBackground<T>(work: () => T): T {
  return processContext.runInAsyncScope(work);
}
