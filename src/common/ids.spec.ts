import { validate, version } from 'uuid';
import { newId } from './ids.js';

describe('newId', () => {
  it('makes valid, distinct version 7 UUIDs', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
  });

  it('orders ids made in different milliseconds by time', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(newId() > first).toBe(true);
  });

  it('orders ids made in the same millisecond as they were made', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
  });
});
