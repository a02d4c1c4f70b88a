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

/** Generates a new `whsec_…` secret in the format Standard Webhooks libraries accept. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}
