export interface RetryDelayOptions {
  /** Source of randomness in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
  /** The receiver's Retry-After, already converted to milliseconds (see parseRetryAfter). */
  retryAfterMs?: number | null;
}

// ±20 % spreads retries of a burst that failed together, so they do not hit the receiver again
// all at the same moment.
const JITTER = 0.2;

/**
 * Milliseconds to wait before the next attempt after `attemptsMade` attempts (1 = the first send
 * has failed), or null when the schedule is exhausted and the delivery should give up.
 *
 * `schedule[i]` is the base delay before retry i + 1, so its length is the number of retries.
 * A Retry-After longer than our own delay wins: the receiver knows when it will be ready, and
 * coming back earlier only earns another rejection.
 */
/** The longest Retry-After honoured: 24 h. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export function nextRetryDelayMs(
  schedule: readonly number[],
  attemptsMade: number,
  options: RetryDelayOptions = {},
): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  if (attemptsMade > schedule.length) return null;

  // Clamped so a misbehaving random source can never push the delay outside the ±20 % band.
  const r = Math.min(Math.max((options.random ?? Math.random)(), 0), 1);
  const jittered = Math.round(schedule[attemptsMade - 1] * (1 - JITTER + 2 * JITTER * r));
  // A receiver may ask for any wait; beyond a day it is more likely a bug than a plan, and an absurd value
  // would push next_attempt_at past what a date (or a BIGINT) can hold.
  const retryAfter = options.retryAfterMs == null ? null : Math.min(options.retryAfterMs, MAX_RETRY_AFTER_MS);
  return retryAfter !== null && retryAfter > jittered ? retryAfter : jittered;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// The three HTTP-date forms RFC 9110 §5.6.7 requires recipients to accept. Parsed by hand because
// Date.parse reads the asctime form (which has no zone) in the server's local time zone.
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/**
 * Milliseconds to wait according to a Retry-After header, given either as delta-seconds (`120`)
 * or as an HTTP date. A moment already past gives 0; anything unreadable gives null, so the caller
 * falls back to its own schedule.
 */
export function parseRetryAfter(header: string | undefined, now: Date): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  // RFC 9110 only allows unsigned digits, but a negative count plainly means "no need to wait".
  if (/^-?\d+$/.test(text)) return Math.max(0, Number(text) * 1000);
  const date = parseHttpDate(text, now);
  if (date === null) return null;
  return Math.max(0, date - now.getTime());
}

/** Epoch milliseconds of an HTTP date, or null when it is not one. */
function parseHttpDate(text: string, now: Date): number | null {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2], Number(m[1]), m[4], m[5], m[6]);

  m = RFC850_DATE.exec(text);
  if (m) {
    // Two-digit years: RFC 9110 says one more than 50 years ahead belongs to the previous century.
    const currentYear = now.getUTCFullYear();
    let year = Math.floor(currentYear / 100) * 100 + Number(m[3]);
    if (year > currentYear + 50) year -= 100;
    return utc(year, m[2], Number(m[1]), m[4], m[5], m[6]);
  }

  m = ASCTIME_DATE.exec(text);
  if (m) return utc(Number(m[6]), m[1], Number(m[2].trim()), m[3], m[4], m[5]);

  return null;
}

function utc(year: number, monthName: string, day: number, hours: string, minutes: string, seconds: string): number | null {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month === -1) return null;
  const h = Number(hours);
  const min = Number(minutes);
  // 60 allows a leap second, which Date cannot represent but the grammar permits.
  const s = Number(seconds);
  if (h > 23 || min > 59 || s > 60) return null;
  const ms = Date.UTC(year, month, day, h, min, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March; reject instead of silently shifting the date.
  return new Date(ms).getUTCDate() === day ? ms : null;
}
