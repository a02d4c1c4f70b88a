/** What an event type may be: 1–128 of `A-Z a-z 0-9 . _ - :` (CL-X-EVENT-TYPE on ingest). */
export const EVENT_TYPE = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_EVENT_TYPE_PATTERNS = 50;

/** Why a destination's event-type pattern is not one, or null: an exact type, `prefix.*`, or `*`. */
export function eventTypePatternProblem(pattern: unknown): string | null {
  if (typeof pattern !== 'string') return 'event_types must hold strings';
  if (pattern === '*') return null;
  const exact = pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern;
  if (EVENT_TYPE.test(exact)) return null;
  return `event_types: "${pattern}" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"`;
}

/** Every problem with an `event_types` value (null is fine: every message), as messages for a 400 answer. */
export function eventTypesProblems(value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_EVENT_TYPE_PATTERNS) {
    return [`event_types must be null or a list of 1 to ${MAX_EVENT_TYPE_PATTERNS} patterns`];
  }
  const problems = value.map(eventTypePatternProblem).filter((problem): problem is string => problem !== null);
  if (!problems.length && new Set(value).size !== value.length) problems.push('event_types must not repeat a pattern');
  return problems;
}

/**
 * Whether a destination with these patterns gets a message of this type. Null patterns take every message;
 * a message without a type goes only to those. `order.*` matches `order.created` and `order.item.added`, not
 * `order` itself nor `orders.x`.
 */
export function matchesEventTypes(patterns: readonly string[] | null, eventType: string | null): boolean {
  if (patterns === null) return true;
  if (eventType === null) return false;
  return patterns.some((pattern) => pattern === '*' || pattern === eventType || (pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1))));
}
