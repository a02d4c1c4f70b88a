import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept only if it is short and plain, so it cannot forge or flood a log line. */
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The id of a request (Fastify's `genReqId`): the caller's `x-request-id` when it is sane, else a new UUID.
 * It is the `req.id` of the request's log line and comes back as the answer's `x-request-id`.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
