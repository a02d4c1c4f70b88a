import { isURL } from 'class-validator';
import { isIP } from 'node:net';
import { refusedRange } from '../delivery/address-policy.js';

export const MAX_URL_LENGTH = 2048;

const URL_SHAPE = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true };

/**
 * What is wrong with a destination URL in any deployment, or null. The URL must also parse with the WHATWG
 * parser that makes the requests: validator.js's shape check alone lets through hosts such as `a\ud800.com`
 * that no request can be made to, and a URL stored that way would fail every attempt as if temporarily.
 */
export function destinationUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !isURL(value, URL_SHAPE)) return 'url must be an absolute http(s) URL';
  if (value.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters long`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url cannot be parsed as a URL: check the host name for characters a host cannot have';
  }
  if (url.username || url.password) {
    return 'url must not contain a user name or password: send credentials in a header instead';
  }
  return null;
}

/**
 * Why deliveries to this URL would be refused while private destinations are not allowed, or null. Only an
 * IP literal can be judged here; a host name is checked each time it is resolved, at connect time.
 */
export function refusedDestinationAddress(value: string): string | null {
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return null;
  const range = refusedRange(host);
  return range && `url points at ${host}, which is not a public address (${range}): set ALLOW_PRIVATE_DESTINATIONS=true to allow it`;
}
