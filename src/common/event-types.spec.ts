import { eventTypesProblems, matchesEventTypes } from './event-types.js';

describe('matchesEventTypes', () => {
  it('takes every message, typed or not, without patterns', () => {
    expect(matchesEventTypes(null, null)).toBe(true);
    expect(matchesEventTypes(null, 'order.created')).toBe(true);
  });

  it('gives a message without a type only to destinations without patterns', () => {
    expect(matchesEventTypes(['*'], null)).toBe(false);
  });

  it.each([
    [['order.created'], 'order.created', true],
    [['order.created'], 'order.created.v2', false],
    [['order.*'], 'order.created', true],
    [['order.*'], 'order.item.added', true],
    [['order.*'], 'order', false],
    [['order.*'], 'orders.created', false],
    [['*'], 'anything:at-all', true],
    [['user.deleted', 'order.*'], 'user.deleted', true],
    [['Order.created'], 'order.created', false],
  ])('%p matches %p: %p', (patterns, type, expected) => {
    expect(matchesEventTypes(patterns, type)).toBe(expected);
  });
});

describe('eventTypesProblems', () => {
  it('accepts null and good patterns', () => {
    expect(eventTypesProblems(null)).toEqual([]);
    expect(eventTypesProblems(['order.created', 'user.*', '*', 'a:b_c-d'])).toEqual([]);
  });

  it.each([[[]], ['order.created'], [Array.from({ length: 51 }, (_, i) => `t${i}`)]])('rejects %p as a list', (value) => {
    expect(eventTypesProblems(value)).toEqual(['event_types must be null or a list of 1 to 50 patterns']);
  });

  it('names each bad pattern', () => {
    expect(eventTypesProblems(['ok', 'has space', 'order*', '.*', 5])).toEqual([
      'event_types: "has space" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"',
      'event_types: "order*" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"',
      'event_types: ".*" is not an event type (1-128 of A-Z a-z 0-9 . _ - :), a prefix ending in ".*", or "*"',
      'event_types must hold strings',
    ]);
    expect(eventTypesProblems(['a', 'a'])).toEqual(['event_types must not repeat a pattern']);
    expect(eventTypesProblems(['x'.repeat(129)])).toHaveLength(1);
  });
});
