/** Failures to reach the database that may pass: it is starting (compose, a restart) or the network blinked. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P03']);

interface CodedError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as CodedError;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  // pg's own connect timeout has no code; Node's AggregateError (several addresses tried) carries one per address.
  if (typeof message === 'string' && message.includes('connection timeout')) return true;
  return Array.isArray(errors) && errors.some(isConnectionError);
}

/**
 * How TypeOrmModule connects at start-up: a database that cannot be reached is tried 3 times, 2 s apart (each
 * retry logged as one JSON line); anything else (wrong password, unknown database, a failed migration) stops
 * start-up at once. Past that, start-up fails and a supervisor (compose's restart policy) starts it again.
 */
export const START_UP_CONNECTION = {
  retryAttempts: 3,
  retryDelay: 2_000,
  verboseRetryLog: true,
  toRetry: isConnectionError,
} as const;

/** The one line start-up ends with when it cannot reach the database: it names the variable to check. */
export function startUpFailureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  if (isConnectionError(error)) return `cannot connect to the database of DATABASE_URL (${message}): is it running, and is DATABASE_URL right?`;
  return message;
}
