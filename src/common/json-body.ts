import { BadRequestException } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';

/** Fastify route config (`@RouteConfig`) that changes how a route's JSON body is taken. */
export interface JsonBodyRouteConfig {
  /** The handler gets the body's text, checked to be a UTF-8 JSON object, instead of a parsed value. */
  exactJsonObject?: boolean;
  /** The one message for every body that cannot be taken; the error's `reason` says what to fix. */
  invalidBodyMessage?: string;
}

/** A JSON body that cannot be taken, with one sentence saying what to fix. */
export class InvalidBodyException extends BadRequestException {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * How deep a received payload may nest arrays and objects. JSON.parse takes any depth, but the recursive
 * code a payload meets later does not (the lossless parse of a GET delivery overflows the stack at about
 * 4,000 levels): what is accepted must stay deliverable.
 */
export const MAX_PAYLOAD_DEPTH = 1000;

/** What the parser reads of a Fastify request. */
interface JsonBodyRequest {
  headers: { 'content-type'?: string };
  routeOptions: { config: unknown };
}

/**
 * How deep a management API body may nest. Its fields are flat, with one map at most (a destination's
 * headers); class-transformer and class-validator walk a body recursively and overflow the stack at about
 * 1,500 levels, which would be a 500.
 */
export const MAX_BODY_DEPTH = 32;

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const UTF8 = /^utf-?8$/i;

/** Whether (valid) JSON text nests arrays and objects more than `max` levels deep. */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Each level costs an opening and a closing bracket: short text is never too deep, and is not scanned.
  if (text.length <= 2 * max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}

const LONE_SURROGATE = 'The body contains a lone surrogate (an unpaired \\uD800-\\uDFFF escape): text must be well-formed Unicode';

/**
 * What the management API cannot take in a parsed body: nesting deeper than `maxDepth`, or text that is not
 * well-formed Unicode (validators' encodeURI throws a URIError on a lone surrogate, and the database would
 * store U+FFFD in its place). Walked with a stack of its own, so any depth is safe to look at.
 */
export function parsedBodyProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value === 'string') {
      if (!item.value.isWellFormed()) return LONE_SURROGATE;
    } else if (typeof item.value === 'object' && item.value !== null) {
      if (item.depth > maxDepth) return `The body nests arrays and objects more than ${maxDepth} levels deep`;
      for (const [key, member] of Object.entries(item.value)) {
        if (!key.isWellFormed()) return LONE_SURROGATE;
        stack.push({ value: member, depth: item.depth + 1 });
      }
    }
  }
  return null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The application/json parser of every route (it replaces Fastify's). JSON is UTF-8 (RFC 8259 §8.1): a body
 * that is not, or that declares another charset, is refused instead of being decoded with replacement
 * characters. Routes with `exactJsonObject` get the text itself, so that what is stored, signed and sent is
 * byte for byte what arrived (big integers, `1e999`, key order and whitespace included); the others get the
 * parsed value, once it is known to be shallow and well-formed enough for validation (parsedBodyProblem).
 * `__proto__` is an ordinary key here, as in JSON.parse: the validation pipe refuses it as a field and
 * keeps it as a header name (see OwnKeysValidationPipe).
 */
export function parseJsonBody(request: JsonBodyRequest, body: Buffer): unknown {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !UTF8.test(charset)) {
    throw new InvalidBodyException(`The body must be JSON in UTF-8: charset=${charset} is not supported (send charset=utf-8 or none)`);
  }
  if (!isUtf8(body)) throw new InvalidBodyException('The body is not valid UTF-8: JSON must be sent as UTF-8');
  const text = body.toString('utf8');
  if (text.trim() === '') throw new InvalidBodyException('The body is empty: send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidBodyException(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (!(request.routeOptions.config as JsonBodyRouteConfig).exactJsonObject) {
    const problem = parsedBodyProblem(value, MAX_BODY_DEPTH);
    if (problem) throw new InvalidBodyException(problem);
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidBodyException(`The body must be a JSON object ({...}), not ${describe(value)}`);
  }
  if (nestsDeeperThan(text, MAX_PAYLOAD_DEPTH)) {
    throw new InvalidBodyException(`The body nests arrays and objects more than ${MAX_PAYLOAD_DEPTH} levels deep`);
  }
  return text;
}
