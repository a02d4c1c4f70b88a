/**
 * Splits items, in order, into consecutive groups whose weights add up to at most `maxWeight`; an item
 * heavier than that on its own makes a group of one.
 */
export function groupByWeight<T>(items: readonly T[], weightOf: (item: T) => number, maxWeight: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let weight = 0;
  for (const item of items) {
    const itemWeight = weightOf(item);
    if (group.length && weight + itemWeight > maxWeight) {
      groups.push(group);
      group = [];
      weight = 0;
    }
    group.push(item);
    weight += itemWeight;
  }
  if (group.length) groups.push(group);
  return groups;
}
