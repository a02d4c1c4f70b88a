import { MAX_RETRY_SCHEDULE_ENTRIES, parseRetrySchedule, retryScheduleProblem } from './retry-schedule.js';

describe('parseRetrySchedule', () => {
  it('reads durations in every unit, with blanks around the parts', () => {
    expect(parseRetrySchedule('250ms, 1s,10s ,1m,2h,1d')).toEqual([250, 1_000, 10_000, 60_000, 7_200_000, 86_400_000]);
  });

  it('reads an empty or blank schedule as no retry', () => {
    expect(parseRetrySchedule('')).toEqual([]);
    expect(parseRetrySchedule('  ')).toEqual([]);
  });

  it('is null when a part is not a duration', () => {
    for (const text of ['5', '5x', '1s,,2s', '1s,', '-1s', '1.5s', 'soon']) expect(parseRetrySchedule(text)).toBeNull();
  });
});

describe('retryScheduleProblem', () => {
  it('accepts null, "" and a schedule within the bounds', () => {
    expect(retryScheduleProblem(null)).toBeNull();
    expect(retryScheduleProblem('')).toBeNull();
    expect(retryScheduleProblem('1s,10s,1m')).toBeNull();
    expect(retryScheduleProblem('30d')).toBeNull();
    expect(retryScheduleProblem(Array(MAX_RETRY_SCHEDULE_ENTRIES).fill('1s').join(','))).toBeNull();
  });

  it('names the field and the syntax for text that is not a schedule', () => {
    expect(retryScheduleProblem('1s,soon')).toBe(
      'retry_schedule must be a comma-separated list of durations such as 5s,5m,2h (units ms, s, m, h, d), or empty for no retry',
    );
    expect(retryScheduleProblem(5)).toMatch(/^retry_schedule must be a comma-separated list .* or null for the server's RETRY_SCHEDULE$/);
  });

  it('bounds the number of delays, each delay and the length', () => {
    expect(retryScheduleProblem(Array(MAX_RETRY_SCHEDULE_ENTRIES + 1).fill('1s').join(','))).toBe('retry_schedule must have at most 50 delays (it has 51)');
    expect(retryScheduleProblem('1s,31d')).toBe('retry_schedule delays must each be at most 30d');
    expect(retryScheduleProblem('1s,' + '9'.repeat(1_000) + 'ms')).toBe('retry_schedule must be at most 1000 characters');
  });
});
