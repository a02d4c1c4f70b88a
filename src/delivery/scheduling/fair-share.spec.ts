import { type DueDestination, headroom, shareSlots } from './fair-share.js';

const dest = (destinationId: string, accountId: string, room = 16): DueDestination => ({ destinationId, accountId, room });
const total = (claims: Map<string, number>) => [...claims.values()].reduce((a, b) => a + b, 0);

describe('shareSlots', () => {
  it('gives a lone account the worker less its headroom, spread over its destinations', () => {
    const due = Array.from({ length: 300 }, (_, i) => dest(`a${i}`, 'A'));
    const first = shareSlots({ free: 64, capacity: 64, activeByAccount: new Map(), due });
    expect(total(first)).toBe(64 - headroom(64));
    expect(Math.max(...first.values())).toBe(1);
    const later = shareSlots({ free: 10, capacity: 64, activeByAccount: new Map([['A', 54]]), due });
    expect(total(later)).toBe(10 - headroom(64));
  });

  it('lets an account that becomes due use the headroom at once', () => {
    const due = [...Array.from({ length: 300 }, (_, i) => dest(`a${i}`, 'A')), dest('b0', 'B')];
    const claims = shareSlots({ free: 4, capacity: 64, activeByAccount: new Map([['A', 60]]), due });
    expect(claims.get('b0')).toBe(4);
  });

  it('serves a second account at once although the first has far more due destinations', () => {
    const due = [...Array.from({ length: 300 }, (_, i) => dest(`a${i}`, 'A')), dest('b0', 'B')];
    const claims = shareSlots({ free: 4, capacity: 64, activeByAccount: new Map([['A', 60]]), due });
    // A is over its share (32 of 64): every free slot goes to B first.
    expect(claims.get('b0')).toBe(4);
    expect(total(claims)).toBe(4);
  });

  it('keeps an account to its share while another account can use the slots', () => {
    const due = [dest('a0', 'A'), dest('a1', 'A'), dest('b0', 'B'), dest('b1', 'B')];
    const claims = shareSlots({ free: 32, capacity: 64, activeByAccount: new Map([['A', 32]]), due });
    // A is at its share (32 of 64): B takes what B can.
    expect((claims.get('a0') ?? 0) + (claims.get('a1') ?? 0)).toBe(0);
    expect((claims.get('b0') ?? 0) + (claims.get('b1') ?? 0)).toBe(32);
  });

  it('lets an account go past its share when the others cannot use the slots', () => {
    const due = [dest('a0', 'A'), dest('b0', 'B', 2)];
    const claims = shareSlots({ free: 20, capacity: 64, activeByAccount: new Map([['A', 32]]), due });
    expect(claims.get('b0')).toBe(2);
    // All the rest but the headroom: 64 - 4 usable, 44 active (20 free) and 2 just given to B.
    expect(claims.get('a0')).toBe(64 - headroom(64) - 44 - 2);
  });

  it('never claims more for a destination than its room', () => {
    const due = [dest('a0', 'A', 3), dest('a1', 'A', 0)];
    const claims = shareSlots({ free: 64, capacity: 64, activeByAccount: new Map(), due });
    expect(claims.get('a0')).toBe(3);
    expect(claims.has('a1')).toBe(false);
  });

  it('claims nothing without free slots', () => {
    expect(shareSlots({ free: 0, capacity: 64, activeByAccount: new Map(), due: [dest('a0', 'A')] }).size).toBe(0);
  });

  it('starts with the first destination of the order given, so a rotated order rotates the service', () => {
    const due = [dest('a2', 'A'), dest('a0', 'A'), dest('a1', 'A')];
    const claims = shareSlots({ free: 1, capacity: 64, activeByAccount: new Map(), due });
    expect([...claims.keys()]).toEqual(['a2']);
  });
});
