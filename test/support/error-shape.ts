import { STATUS_CODES } from 'node:http';

/**
 * Asserts the contract's one error shape, `{statusCode, error, message}` and nothing else, and returns the
 * messages as an array (a single string message becomes a one-element array) for further checks.
 */
export function expectErrorShape(body: unknown, statusCode: number): string[] {
  expect(body).toEqual({
    statusCode,
    error: STATUS_CODES[statusCode],
    message: expect.anything(),
  });
  const { message } = body as { message: unknown };
  if (typeof message === 'string') return [message];
  expect(Array.isArray(message)).toBe(true);
  for (const item of message as unknown[]) expect(typeof item).toBe('string');
  return message as string[];
}
