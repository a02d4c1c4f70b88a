import { generateAppSecretToken, secretsEqual, sha256Hex } from './secrets.js';

describe('secrets', () => {
  it('generates distinct tokens of at least 128 bits', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => generateAppSecretToken()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) {
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares secrets of any length', () => {
    expect(secretsEqual('same-key', 'same-key')).toBe(true);
    expect(secretsEqual('same-key', 'other-key')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
