import type { IncomingMessage } from 'node:http';

export const INGEST_PATH = 'server/incoming_data';
export const TOKEN_HEADER = 'cl-x-token';
export const UNAUTHENTICATED = 'Un Authenticate';
export const INVALID_DATA = 'Invalid Data';

/** The raw request, once the token check has resolved its account. */
export interface AuthenticatedIngestRequest extends IncomingMessage {
  accountId?: string;
}
