import { BadRequestException, type ValidationPipe, type ValidationError } from '@nestjs/common';
import { OwnKeysValidationPipe } from './own-keys-validation-pipe.js';

/** Constraints whose message lists several problems, joined with "; " (one class-validator message each). */
const MULTI_PROBLEM_CONSTRAINTS = new Set(['isHeaderMap', 'isEventTypePatterns']);

/**
 * Every problem of a request body or query as its own string, nested properties included: one per property
 * (see stopAtFirstError), and for a required field that is missing, that it is required, not what its value
 * would have had to look like.
 */
export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    // Optional fields are skipped when absent (IsOptional, PartialType), so an absent one that fails is required.
    if (error.value === undefined && error.constraints) return [`${path} is required`];
    const own = Object.entries(error.constraints ?? {}).flatMap(([constraint, message]) =>
      MULTI_PROBLEM_CONSTRAINTS.has(constraint) ? message.split('; ') : [message],
    );
    return [...own, ...validationMessages(error.children ?? [], path)];
  });
}

/**
 * The global pipe: DTOs validated and transformed; unknown fields rejected; every problem listed, one per
 * property. `stopAtFirstError` stops at a property's first failed check, and class-validator runs the
 * decorator nearest the property first: so a DTO puts its type check there (a bad `limit=abc` is one
 * problem, not "must be an integer" plus two range complaints about a number that is not there).
 */
export function createValidationPipe(): ValidationPipe {
  return new OwnKeysValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(validationMessages(errors)),
  });
}
