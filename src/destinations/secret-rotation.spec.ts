import { earlierSecrets, overlapEndsAt, rotatedSecrets, type SigningSecrets } from './secret-rotation.js';

const HOUR = 3_600_000;
const fresh = (secret: string): SigningSecrets => ({
  signingSecret: secret,
  previousSigningSecret: null,
  previousSecretExpiresAt: null,
  olderSigningSecret: null,
  olderSecretExpiresAt: null,
});
const signing = (secrets: SigningSecrets, now: number) => [secrets.signingSecret, ...earlierSecrets(secrets, now).map((s) => s.secret)];

describe('rotatedSecrets', () => {
  it('keeps the replaced secret for the overlap', () => {
    const s1 = rotatedSecrets(fresh('S0'), 'S1', 1_000, 24 * HOUR);
    expect(s1).toEqual({ ...fresh('S1'), previousSigningSecret: 'S0', previousSecretExpiresAt: 1_000 + 24 * HOUR });
    expect(signing(s1, 2_000)).toEqual(['S1', 'S0']);
  });

  it('keeps every secret whose overlap still runs, newest first, each until its own end', () => {
    const s1 = rotatedSecrets(fresh('S0'), 'S1', 1_000, 24 * HOUR);
    const s2 = rotatedSecrets(s1, 'S2', 2_000, 24 * HOUR);
    expect(signing(s2, 3_000)).toEqual(['S2', 'S1', 'S0']);
    expect(s2.olderSecretExpiresAt).toBe(1_000 + 24 * HOUR);
    expect(signing(s2, 1_000 + 24 * HOUR)).toEqual(['S2', 'S1']);
    expect(signing(s2, 2_000 + 24 * HOUR)).toEqual(['S2']);
    expect(overlapEndsAt(s2, 3_000)).toBe(2_000 + 24 * HOUR);
    expect(overlapEndsAt(s2, 2_000 + 24 * HOUR)).toBeNull();
  });

  it('signs at most three times: a third rotation within the overlap stops the oldest secret', () => {
    let secrets = fresh('S0');
    for (const [index, next] of ['S1', 'S2', 'S3'].entries()) secrets = rotatedSecrets(secrets, next, 1_000 * (index + 1), HOUR);
    expect(signing(secrets, 4_000)).toEqual(['S3', 'S2', 'S1']);
  });

  it('drops a previous secret whose overlap is over', () => {
    const s1 = rotatedSecrets(fresh('S0'), 'S1', 0, HOUR);
    expect(signing(rotatedSecrets(s1, 'S2', HOUR, HOUR), HOUR)).toEqual(['S2', 'S1']);
  });

  it('signs once with a secret supplied again', () => {
    const s1 = rotatedSecrets(fresh('S0'), 'S1', 0, HOUR);
    expect(signing(rotatedSecrets(s1, 'S0', 1, HOUR), 2)).toEqual(['S0', 'S1']);
  });

  it('keeps nothing without an overlap', () => {
    const s1 = rotatedSecrets(fresh('S0'), 'S1', 0, HOUR);
    expect(rotatedSecrets(s1, 'S2', 1, 0)).toEqual(fresh('S2'));
  });
});
