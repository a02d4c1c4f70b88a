import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Constraints whose message lists several problems, joined with "; " (one class-validator message each). */
const MULTI_PROBLEM_CONSTRAINTS = new Set(['isHeaderMap']);

/** Every problem of a request body or query as its own string, nested properties included. */
export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).flatMap(([constraint, message]) =>
      MULTI_PROBLEM_CONSTRAINTS.has(constraint) ? message.split('; ') : [message],
    );
    return [...own, ...validationMessages(error.children ?? [], path)];
  });
}

/** The global pipe: DTOs validated and transformed; unknown fields rejected; every problem listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(validationMessages(errors)),
  });
}
