/** Everything one attempt needs, loaded fresh from the database when the delivery is claimed. */
export interface DeliveryJob {
  deliveryId: string;
  messageId: string;
  destinationId: string;
  accountId: string;
  /** Attempts already made before this one. */
  attemptsMade: number;
  /** Attempts made before the current retry schedule began (a recover starts it again). */
  scheduleStart: number;
  /** The destination's own retry delays (ms) when it has a retry_schedule; null: the server's RETRY_SCHEDULE. */
  retryScheduleMs: number[] | null;
  /** The lease this worker holds; recording the outcome requires it to be unchanged. */
  leasedUntil: number;
  url: string;
  /** GET, POST, PUT, PATCH or DELETE (upper case, as stored). */
  httpMethod: string;
  /** The destination's headers as stored (a JSON object of strings): parsed once per destination by the sender. */
  headersJson: string;
  signingSecret: string;
  /** Earlier secrets whose rotation overlap still lasts, newest first (at most two): the delivery is signed with each. */
  previousSigningSecrets: string[];
  payload: string;
  /** The message's CL-X-EVENT-TYPE, sent on as `cl-x-event-type`; null when it came without one. */
  eventType: string | null;
}

/** What one attempt produced, successful or not. */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
  /** From Retry-After on 429/503. */
  retryAfterMs: number | null;
  /** Do not retry (a refused private address). */
  permanent: boolean;
}

/** A delivery's status after an attempt, as the deliveries table stores it. */
export type AttemptStatus = 'pending' | 'succeeded' | 'failed';
