/**
 * Adds every top-level payload key to the URL's query string, for destinations that take GET.
 *
 * Strings go in verbatim so receivers read them without JSON-decoding; anything structured is
 * compact JSON because a query parameter has no other way to carry nesting.
 */
export function appendPayloadToUrl(url: string, payload: Record<string, unknown>): string {
  const target = new URL(url);
  const added = new URLSearchParams();
  for (const [key, value] of Object.entries(payload)) {
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
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      // Objects, arrays and null. JSON.stringify yields undefined for functions and symbols,
      // which cannot come from a parsed JSON body anyway, so they are skipped like undefined.
      return JSON.stringify(value) ?? undefined;
  }
}
