import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/**
 * Keys named like something every object inherits (`constructor`, `toString`, `__proto__`,
 * `__defineGetter__`, …). class-transformer skips such a key when it builds a DTO (or, for `__proto__`,
 * replaces the DTO's prototype), so whitelisting never sees it.
 */
function inheritedNames(value: object): string[] {
  return Object.keys(value).filter((key) => key in Object.prototype || key === 'prototype');
}

/**
 * ValidationPipe, with keys that objects inherit handled on purpose rather than dropped. Nest deletes
 * `__proto__`, `constructor` and `prototype` from every object of a request before validating it, without a
 * word: a destination header named `constructor` vanished. Here, a body or query field with such a name is
 * refused as the unknown field it is, and inside a free-form map (a destination's headers) it is an ordinary
 * key, which the DTO copies into an object without a prototype. Nothing merges request objects into others
 * (the JSON parser makes `__proto__` an own property, as JSON.parse does), so keeping the key is safe.
 */
export class OwnKeysValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isFields = metadata.type === 'body' || metadata.type === 'query';
    if (isFields && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inherited = inheritedNames(value);
      if (inherited.length) throw new BadRequestException(inherited.map((name) => `property ${name} should not exist`));
    }
    return super.transform(value, metadata);
  }

  protected override stripProtoKeys(): void {
    // Kept: see the class comment.
  }
}
