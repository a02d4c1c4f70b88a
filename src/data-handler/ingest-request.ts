import type { IncomingMessage } from 'node:http';
import type { TokenAccount } from '../accounts/accounts.service.js';

export const INGEST_PATH = 'server/incoming_data';
export const TOKEN_HEADER = 'cl-x-token';
export const UNAUTHENTICATED = 'Un Authenticate';
export const INVALID_DATA = 'Invalid Data';
export const TOO_MANY_REQUESTS = 'Too Many Requests';
export const IDEMPOTENCY_CONFLICT = 'Idempotency-Key was already used with a different payload';
export const STILL_STORING = 'The first request with this Idempotency-Key is still being stored: send it again in a moment';

/** The raw request, once the token check has resolved its account. */
export interface AuthenticatedIngestRequest extends IncomingMessage {
  account?: TokenAccount;
}
