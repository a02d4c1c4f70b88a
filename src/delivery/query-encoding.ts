import { isLosslessNumber, parse, stringify } from 'lossless-json';

/**
 * The payload's top-level members, numbers kept as the text they were written as (`12345678901234567890`
 * and `1e999` stay what they are). A repeated key keeps its last value, as with JSON.parse.
 */
function parseLossless(payload: string): Record<string, unknown> {
  return parse(payload, null, { onDuplicateKey: ({ newValue }) => newValue }) as Record<string, unknown>;
}

/**
 * Adds every top-level payload key to the URL's query string, for destinations that take GET. `payload` is
 * the JSON text as received.
 *
 * Strings go in verbatim so receivers read them without JSON-decoding; numbers exactly as written; anything
 * structured is compact JSON because a query parameter has no other way to carry nesting.
 */
export function appendPayloadToUrl(url: string, payload: string): string {
  const target = new URL(url);
  const added = new URLSearchParams();
  for (const [key, value] of Object.entries(parseLossless(payload))) {
    const text = toParameterValue(value);
    if (text !== undefined) added.append(key, text);
  }
  const addedQuery = added.toString();
  if (addedQuery === '') return target.href;

  // Append to the raw existing query instead of going through target.searchParams: re-serialising
  // would rewrite the destination's own parameters (`%20` → `+`, `?flag` → `?flag=`), and some
  // receivers sign or compare their URL byte for byte.
  const existing = target.search.replace(/^\?/, '').replace(/&+$/, '');
  target.search = existing === '' ? addedQuery : `${existing}&${addedQuery}`;
  return target.href;
}

function toParameterValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || isLosslessNumber(value)) return String(value);
  // Objects, arrays and null, numbers inside them as written.
  return stringify(value);
}

/**
 * The query string a request to `url` carries, exactly as sent: everything after `?`, without the fragment
 * (which never leaves the client). The HTTP client serialises the URL the same way, so a receiver reads
 * these very bytes after the `?` of its request target; it is what a GET delivery signs.
 */
export function sentQueryString(url: string): string {
  return new URL(url).search.slice(1);
}
