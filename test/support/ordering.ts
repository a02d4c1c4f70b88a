/**
 * Lists are "oldest first" to the resolution of `created_at` (milliseconds): items made in the same
 * millisecond may come in either order, so tests check the order of the timestamps, not of creation calls.
 */
export function expectOldestFirst(items: Array<{ created_at: unknown }>): void {
  const times = items.map((item) => Date.parse(String(item.created_at)));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

/** The same ids in any order: for comparing what a list returned with what a test created. */
export function sameIds(ids: string[]): string[] {
  return [...ids].sort();
}
