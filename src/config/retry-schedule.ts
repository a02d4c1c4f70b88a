import { parseDuration } from './duration.js';

/** A destination's own retry_schedule: at most this many characters, this many retries, and this long a delay each. */
export const MAX_RETRY_SCHEDULE_LENGTH = 1_000;
export const MAX_RETRY_SCHEDULE_ENTRIES = 50;
export const MAX_RETRY_DELAY_MS = 30 * 86_400_000;

export const RETRY_SCHEDULE_SYNTAX =
  'a comma-separated list of durations such as 5s,5m,2h (units ms, s, m, h, d), or empty for no retry';

/**
 * The delays of a schedule in RETRY_SCHEDULE's syntax (`5s,5m,2h`; "" or blanks: no retry), in milliseconds;
 * null when some part is not a duration.
 */
export function parseRetrySchedule(text: string): number[] | null {
  if (text.trim() === '') return [];
  const delays = text.split(',').map((part) => parseDuration(part));
  return delays.some((delay) => delay === null) ? null : (delays as number[]);
}

/** What is wrong with a destination's retry_schedule (null, or a schedule within the bounds, is fine). */
export function retryScheduleProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') return `retry_schedule must be ${RETRY_SCHEDULE_SYNTAX}, or null for the server's RETRY_SCHEDULE`;
  if (value.length > MAX_RETRY_SCHEDULE_LENGTH) {
    return `retry_schedule must be at most ${MAX_RETRY_SCHEDULE_LENGTH} characters`;
  }
  const delays = parseRetrySchedule(value);
  if (delays === null) return `retry_schedule must be ${RETRY_SCHEDULE_SYNTAX}`;
  if (delays.length > MAX_RETRY_SCHEDULE_ENTRIES) {
    return `retry_schedule must have at most ${MAX_RETRY_SCHEDULE_ENTRIES} delays (it has ${delays.length})`;
  }
  if (delays.some((delay) => delay > MAX_RETRY_DELAY_MS)) return 'retry_schedule delays must each be at most 30d';
  return null;
}
