// Payloads are shown exactly as they were received: big integers, `1e999`, key order and duplicate keys all
// survive, because the JSON text is re-indented token by token and never parsed into numbers.

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Index just past the string that starts (with its opening quote) at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') i += 2;
    else if (char === '"') return i + 1;
    else i += 1;
  }
  throw new SyntaxError('unterminated string');
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i])) i += 1;
  return i;
}

/** Index just past the JSON value that starts at `start` (no whitespace before it). */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first === '{' || first === '[') {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const char = text[i];
      if (char === '"') {
        i = endOfString(text, i);
        continue;
      }
      if (char === '{' || char === '[') depth += 1;
      else if (char === '}' || char === ']') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    throw new SyntaxError('unterminated value');
  }
  let i = start;
  while (i < text.length && !WHITESPACE.has(text[i]) && text[i] !== ',' && text[i] !== '}' && text[i] !== ']') i += 1;
  if (i === start) throw new SyntaxError(`unexpected ${JSON.stringify(text[start] ?? 'end')}`);
  return i;
}

/**
 * The text of member `name` of the JSON object `text`, exactly as written (first occurrence), or null when
 * the object has no such member.
 */
export function memberText(text: string, name: string): string | null {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') throw new SyntaxError('not a JSON object');
  i = skipWhitespace(text, i + 1);
  while (i < text.length && text[i] !== '}') {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ':') throw new SyntaxError('expected ":"');
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (key === name) return text.slice(valueStart, valueEnd);
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return null;
}

/** `text` (valid JSON) indented by `indent` spaces, every string and number kept as written. */
export function prettyJson(text: string, indent = 2): string {
  let out = '';
  let depth = 0;
  const newline = () => `\n${' '.repeat(depth * indent)}`;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (WHITESPACE.has(char)) {
      i += 1;
    } else if (char === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (char === '{' || char === '[') {
      const next = skipWhitespace(text, i + 1);
      const close = char === '{' ? '}' : ']';
      if (text[next] === close) {
        out += char + close;
        i = next + 1;
      } else {
        depth += 1;
        out += char + newline();
        i += 1;
      }
    } else if (char === '}' || char === ']') {
      depth -= 1;
      out += newline() + char;
      i += 1;
    } else if (char === ',') {
      out += `,${newline()}`;
      i += 1;
    } else if (char === ':') {
      out += ': ';
      i += 1;
    } else {
      const end = endOfValue(text, i);
      out += text.slice(i, end);
      i = end;
    }
  }
  return out;
}

/** Where a JSON text is wrong, in words a person can act on, or null when it is a JSON object. */
export function jsonObjectProblem(text: string): string | null {
  if (!text.trim()) return 'Write a JSON object, for example {"event": "test"}.';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'The payload must be a JSON object ({ … }), not an array or a single value.';
  return null;
}
