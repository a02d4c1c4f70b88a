import type { Destination } from './entities/destination.entity.js';

/** A destination's signing secrets: the current one and up to two earlier ones, each signing until its expiry. */
export type SigningSecrets = Pick<
  Destination,
  'signingSecret' | 'previousSigningSecret' | 'previousSecretExpiresAt' | 'olderSigningSecret' | 'olderSecretExpiresAt'
>;

/** Earlier secrets that still sign at `now`, newest first, with their expiry. */
export function earlierSecrets(secrets: SigningSecrets, now: number): Array<{ secret: string; expiresAt: number }> {
  const kept: Array<{ secret: string; expiresAt: number }> = [];
  for (const [secret, expiresAt] of [
    [secrets.previousSigningSecret, secrets.previousSecretExpiresAt],
    [secrets.olderSigningSecret, secrets.olderSecretExpiresAt],
  ] as const) {
    if (secret !== null && expiresAt !== null && expiresAt > now) kept.push({ secret, expiresAt });
  }
  return kept;
}

/**
 * The secrets after a rotation to `next` at `now`. The replaced secret signs for `overlapMs` more, and an
 * earlier one whose overlap still runs keeps signing until its own end: S0 → S1 → S2 within one overlap
 * signs `S2 S1 S0`, so a double click does not cut off receivers that still only know S0.
 *
 * At most three signatures (Standard Webhooks receivers try each; more would only grow every request): a
 * third rotation within the overlap keeps the two newest earlier secrets, and the oldest stops signing at
 * once. Rotating again that fast is a reaction to a leak more often than a routine step, and there the
 * shorter life of the oldest secret is what the operator wants anyway.
 */
export function rotatedSecrets(current: SigningSecrets, next: string, now: number, overlapMs: number): SigningSecrets {
  if (overlapMs <= 0) {
    return { signingSecret: next, previousSigningSecret: null, previousSecretExpiresAt: null, olderSigningSecret: null, olderSecretExpiresAt: null };
  }
  // A secret supplied again (S0 → S1 → S0) signs once, as the current one.
  const older = earlierSecrets(current, now).find(({ secret }) => secret !== next) ?? null;
  return {
    signingSecret: next,
    previousSigningSecret: current.signingSecret,
    previousSecretExpiresAt: now + overlapMs,
    olderSigningSecret: older?.secret ?? null,
    olderSecretExpiresAt: older?.expiresAt ?? null,
  };
}

/** When the last earlier secret stops signing (deliveries then carry one signature again), or null if none signs. */
export function overlapEndsAt(secrets: SigningSecrets, now: number): number | null {
  const ends = earlierSecrets(secrets, now).map(({ expiresAt }) => expiresAt);
  return ends.length ? Math.max(...ends) : null;
}
