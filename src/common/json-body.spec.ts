import { nestsDeeperThan } from './json-body.js';

describe('nestsDeeperThan', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('counts arrays and objects alike, the outermost as level 1', () => {
    expect(nestsDeeperThan(nested(3), 2)).toBe(true);
    expect(nestsDeeperThan(nested(2), 2)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 4)).toBe(false);
  });

  it('goes back up after a closing bracket', () => {
    expect(nestsDeeperThan(`[${nested(2)},${nested(2)},${nested(2)}]`, 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\"' }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify(['\\', [[['x']]]]), 3)).toBe(true);
  });
});
