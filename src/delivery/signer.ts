import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

// 24 bytes (192 bits) is what the Standard Webhooks reference libraries generate; comfortably
// above the 128-bit minimum the spec asks for while keeping the secret short.
const SECRET_BYTES = 24;

/**
 * Returns the Standard Webhooks `webhook-signature` header value for one delivery.
 *
 * The secret is keyed by its base64-decoded bytes (not the text) because that is what every
 * Standard Webhooks verifier does; the `whsec_` prefix is optional on input for the same reason.
 */
export function signPayload(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  // A fractional or negative timestamp would sign fine but no receiver could reproduce it, so
  // fail loudly here rather than deliver something that is guaranteed to be rejected.
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestampSeconds must be a non-negative integer, got ${timestampSeconds}`);
  }
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  // Buffer.from silently drops non-base64 characters; an empty key would make every signature
  // forgeable, so refuse it instead of signing with it.
  if (key.length === 0) {
    throw new Error('Signing secret decodes to an empty key');
  }
  const signature = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${signature}`;
}

/**
 * The `webhook-signature` header for several secrets (a rotation's overlap: the current one first, then the
 * earlier ones, newest first), space-separated as Standard Webhooks has it: a receiver that knows any one of
 * the secrets accepts the delivery.
 */
export function signatureHeader(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => signPayload(secret, messageId, timestampSeconds, body)).join(' ');
}

/** Bounds of a signing secret's key, in bytes, as the Standard Webhooks libraries accept it. */
export const MIN_SECRET_BYTES = SECRET_BYTES;
export const MAX_SECRET_BYTES = 64;

/** Why a secret a client supplies cannot be a signing secret, or null: `whsec_` + canonical base64 of 24–64 bytes. */
export function signingSecretProblem(secret: unknown): string | null {
  const shape = `signing_secret must be "${SECRET_PREFIX}" followed by the base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes`;
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return shape;
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips characters that are not base64: only text that encodes back the same is a key.
  if (key.toString('base64') !== encoded || key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) return shape;
  return null;
}

/** Generates a new `whsec_…` secret in the format Standard Webhooks libraries accept. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}
