import { nextRetryDelayMs, parseRetryAfter } from './retry-policy.js';

describe('nextRetryDelayMs', () => {
  const schedule = [1_000, 10_000, 60_000] as const;
  const fixed = (value: number) => () => value;

  it.each([
    [1, 1_000],
    [2, 10_000],
    [3, 60_000],
  ])('after attempt %d uses schedule entry %d (no jitter at random = 0.5)', (attempts, base) => {
    expect(nextRetryDelayMs(schedule, attempts, { random: fixed(0.5) })).toBe(base);
  });

  it('is 80 % of the delay at random = 0', () => {
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(0) })).toBe(8_000);
  });

  it('approaches 120 % of the delay as random approaches 1', () => {
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(0.999999) })).toBe(12_000);
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(1 - Number.EPSILON) })).toBe(12_000);
  });

  it('stays within ±20 % with the real random source', () => {
    for (let i = 0; i < 1_000; i++) {
      const delay = nextRetryDelayMs(schedule, 3, {}) ?? Number.NaN;
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(72_000);
    }
  });

  it('works without an options argument', () => {
    const delay = nextRetryDelayMs(schedule, 1) ?? Number.NaN;
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1_200);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(nextRetryDelayMs(schedule, 1, { random: fixed(-3) })).toBe(800);
    expect(nextRetryDelayMs(schedule, 1, { random: fixed(7) })).toBe(1_200);
  });

  it('returns whole milliseconds', () => {
    expect(nextRetryDelayMs([333], 1, { random: fixed(0.123) })).toBe(Math.round(333 * (0.8 + 0.4 * 0.123)));
    expect(Number.isInteger(nextRetryDelayMs([333], 1, { random: fixed(0.123) }))).toBe(true);
  });

  it('gives up after the last retry', () => {
    expect(nextRetryDelayMs(schedule, 3, { random: fixed(0.5) })).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 4, { random: fixed(0.5) })).toBeNull();
    expect(nextRetryDelayMs(schedule, 100, { random: fixed(0.5) })).toBeNull();
  });

  it('gives up immediately with an empty schedule', () => {
    expect(nextRetryDelayMs([], 1, { random: fixed(0.5) })).toBeNull();
  });

  it('gives up even when Retry-After is given', () => {
    expect(nextRetryDelayMs(schedule, 4, { random: fixed(0.5), retryAfterMs: 5_000 })).toBeNull();
  });

  it('uses a Retry-After longer than the jittered delay', () => {
    expect(nextRetryDelayMs(schedule, 1, { random: fixed(1 - Number.EPSILON), retryAfterMs: 30_000 })).toBe(30_000);
  });

  it('ignores a Retry-After shorter than the jittered delay', () => {
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(0), retryAfterMs: 5_000 })).toBe(8_000);
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(0), retryAfterMs: 0 })).toBe(8_000);
  });

  it('compares Retry-After against the jittered, not the base, delay', () => {
    // Base 10 s jittered down to 8 s: a 9 s Retry-After is longer and wins.
    expect(nextRetryDelayMs(schedule, 2, { random: fixed(0), retryAfterMs: 9_000 })).toBe(9_000);
  });

  it('ignores a null Retry-After', () => {
    expect(nextRetryDelayMs(schedule, 1, { random: fixed(0.5), retryAfterMs: null })).toBe(1_000);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attemptsMade = %p', (attempts) => {
    expect(() => nextRetryDelayMs(schedule, attempts, {})).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-03-10T12:00:00.000Z');

  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 30 ', 30_000],
    ['007', 7_000],
    ['86400', 86_400_000],
  ])('reads delta-seconds %p as %d ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each(['-1', '-120'])('treats negative delta-seconds %p as 0', (header) => {
    expect(parseRetryAfter(header, now)).toBe(0);
  });

  it.each([
    ['IMF-fixdate', 'Mon, 10 Mar 2025 12:01:30 GMT', 90_000],
    ['IMF-fixdate, any case', 'mon, 10 MAR 2025 12:00:05 gmt', 5_000],
    ['IMF-fixdate, next day', 'Tue, 11 Mar 2025 12:00:00 GMT', 86_400_000],
    ['RFC 850', 'Monday, 10-Mar-25 12:02:00 GMT', 120_000],
    ['asctime, space-padded day', 'Wed Apr  2 12:00:00 2025', 23 * 86_400_000],
    ['asctime', 'Mon Mar 10 12:00:10 2025', 10_000],
  ])('reads an HTTP date (%s)', (_form, header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it('reads the asctime form as UTC, whatever the local time zone', () => {
    expect(parseRetryAfter('Mon Mar 10 13:00:00 2025', now)).toBe(3_600_000);
  });

  it('takes the previous century for an RFC 850 year more than 50 years ahead', () => {
    // "99" would be 2099, 74 years after 2025, so it means 1999: long past, hence 0.
    expect(parseRetryAfter('Friday, 31-Dec-99 23:59:59 GMT', now)).toBe(0);
    expect(parseRetryAfter('Friday, 31-Dec-99 23:59:59 GMT', new Date('2060-01-01T00:00:00Z'))).toBeGreaterThan(0);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(0);
    expect(parseRetryAfter('Mon, 10 Mar 2025 11:59:59 GMT', now)).toBe(0);
  });

  it('gives 0 for exactly now', () => {
    expect(parseRetryAfter('Mon, 10 Mar 2025 12:00:00 GMT', now)).toBe(0);
  });

  it('returns null for a missing header', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it.each([
    '',
    '   ',
    'soon',
    '1.5',
    '10s',
    '+5',
    '5 5',
    '0x10',
    '2025-03-10T12:01:00Z', // ISO 8601 is not an HTTP date
    'Mon, 10 Mar 2025 12:01:00', // no zone
    'Mon, 10 Mar 2025 12:01:00 PST',
    'Mon, 10 Foo 2025 12:01:00 GMT',
    'Mon, 31 Feb 2025 12:01:00 GMT',
    'Mon, 10 Mar 2025 24:00:00 GMT',
    'Mon, 10 Mar 2025 12:60:00 GMT',
    'Mon, 10 Mar 2025 12:00:61 GMT',
  ])('returns null for garbage %p', (header) => {
    expect(parseRetryAfter(header, now)).toBeNull();
  });
});

describe('nextRetryDelayMs with an absurd Retry-After', () => {
  it('honours it only up to 24 hours', () => {
    expect(nextRetryDelayMs([1_000], 1, { random: () => 0.5, retryAfterMs: 9_999_999_999_999_000 })).toBe(24 * 60 * 60 * 1000);
  });
});

