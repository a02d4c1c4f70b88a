import { groupByWeight } from './weighted-groups.js';

describe('groupByWeight', () => {
  const weightOf = (n: number) => n;

  it('keeps light items together up to the limit, in order', () => {
    expect(groupByWeight([1, 2, 3, 4, 5], weightOf, 6)).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('gives an item heavier than the limit a group of its own', () => {
    expect(groupByWeight([1, 10_001, 1, 10_001, 10_001], weightOf, 5_000)).toEqual([[1], [10_001], [1], [10_001], [10_001]]);
  });

  it('makes no group of nothing', () => {
    expect(groupByWeight([], weightOf, 10)).toEqual([]);
  });
});
