import { errorMessages } from './ui';

/**
 * Splits an API validation error ("email must be a valid email address", ...) by the field each message
 * names, so each shows next to its input; the rest (`form`) shows by the submit button.
 */
export function errorsByField(error: unknown, fields: string[]): { byField: Record<string, string[]>; form: string[] } {
  const byField: Record<string, string[]> = {};
  const form: string[] = [];
  if (!error) return { byField, form };
  for (const message of errorMessages(error)) {
    const field = fields.find((name) => message === name || message.startsWith(`${name} `) || message.startsWith(`${name}.`));
    if (field) (byField[field] ??= []).push(message);
    else form.push(message);
  }
  return { byField, form };
}
