import { chunks, inList, MAX_LIST } from './in-list.js';

describe('chunks', () => {
  it('splits into runs of at most the size, in order', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });

  it('keeps 32,800 values in runs that one statement can bind', () => {
    const runs = chunks(Array.from({ length: 32_800 }, (_, i) => i));
    expect(runs.every((run) => run.length <= MAX_LIST)).toBe(true);
    expect(runs.flat()).toHaveLength(32_800);
  });
});

describe('inList', () => {
  it('binds each value of a chunk', () => {
    const list = inList(['a', 'b']);
    expect([list.sql, list.text, list.values]).toEqual(['(?, ?)', '($1, $2)', ['a', 'b']]);
  });

  it('refuses a list longer than a chunk, and an empty one', () => {
    expect(() => inList(Array.from({ length: MAX_LIST + 1 }, () => 'x'))).toThrow(RangeError);
    expect(() => inList([])).toThrow(RangeError);
  });
});
