/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than tab: CR/LF would split a value into a second header. */
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Characters an HTTP/1.1 header value can carry at all (Node refuses anything beyond Latin-1). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Framing headers belong to the HTTP client: a stored value would corrupt the request (and the client
 * refuses Expect outright, so every delivery would fail).
 */
export const FORBIDDEN_HEADERS = ['host', 'content-length', 'expect'];
/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, and the older Keep-Alive, Proxy-Connection and proxy credentials):
 * they concern one connection, not the destination, and are the client's to set or a proxy's to read.
 */
export const HOP_BY_HOP_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
];
export const MAX_HEADERS = 100;
export const MAX_HEADER_NAME_LENGTH = 256;
export const MAX_HEADER_VALUE_LENGTH = 8192;

/** Every problem with a destination's `headers` object, as messages for a 400 answer (empty when valid). */
export function headerProblems(headers: unknown): string[] {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return ['headers must be a JSON object of header name to string value'];
  }
  const entries = Object.entries(headers as Record<string, unknown>);
  const problems: string[] = [];
  if (entries.length > MAX_HEADERS) problems.push(`headers may hold at most ${MAX_HEADERS} entries`);
  const seen = new Set<string>();
  for (const [fullName, value] of entries) {
    // A name is quoted in answers: a long one only by its start.
    const name = fullName.length > MAX_HEADER_NAME_LENGTH ? `${fullName.slice(0, 40)}…` : fullName;
    const lower = fullName.toLowerCase();
    if (fullName.length > MAX_HEADER_NAME_LENGTH) problems.push(`headers: "${name}" is longer than ${MAX_HEADER_NAME_LENGTH} characters`);
    else if (!HEADER_NAME.test(fullName)) problems.push(`headers: "${name}" is not a valid HTTP header name`);
    else if (FORBIDDEN_HEADERS.includes(lower)) problems.push(`headers: "${name}" is set by the HTTP client and may not be stored`);
    else if (HOP_BY_HOP_HEADERS.includes(lower)) problems.push(`headers: "${name}" is a hop-by-hop header (it concerns one connection) and may not be stored`);
    else if (seen.has(lower)) problems.push(`headers: "${name}" is given twice (header names are case-insensitive)`);
    seen.add(lower);
    if (typeof value !== 'string') problems.push(`headers: the value of "${name}" must be a string`);
    else if (CONTROL_CHARACTER.test(value)) problems.push(`headers: the value of "${name}" contains a line break or control character`);
    else if (!HEADER_VALUE.test(value)) problems.push(`headers: the value of "${name}" contains a character outside Latin-1, which HTTP headers cannot carry`);
    else if (value.length > MAX_HEADER_VALUE_LENGTH) problems.push(`headers: the value of "${name}" is longer than ${MAX_HEADER_VALUE_LENGTH} characters`);
  }
  return problems;
}
