import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/**
 * Keys named like something every object inherits (`constructor`, `toString`, `__proto__`,
 * `__defineGetter__`, …). class-transformer skips such a key when it builds a DTO (or, for `__proto__`,
 * replaces the DTO's prototype), so whitelisting never sees it.
 */
function inheritedNames(value: object): string[] {
  return Object.keys(value).filter((key) => key in Object.prototype || key === 'prototype');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects given as field values, with every key they came with: see OwnKeysValidationPipe. */
const fieldObjectsAsReceived = new WeakMap<object, Record<string, unknown>>();

/**
 * An object that was a field's value (a free-form map, such as a destination's headers) with every key it
 * came with, in an object without a prototype, where `constructor`, `toString` or `__proto__` are keys like
 * any other. For a DTO's `@Transform`: class-transformer's copy skips the names a plain object inherits, and
 * the validation pipe removes `__proto__`, `constructor` and `prototype` from the source.
 */
export function asReceived(fieldValue: unknown): unknown {
  return isPlainObject(fieldValue) ? (fieldObjectsAsReceived.get(fieldValue) ?? fieldValue) : fieldValue;
}

/**
 * ValidationPipe, with names that objects inherit handled on purpose rather than dropped without a word.
 * A body or query field with such a name is refused as the unknown field it is. Inside a free-form map they
 * are ordinary keys: Nest still strips `__proto__`, `constructor` and `prototype` from every object before
 * class-transformer copies it (an own `constructor` would be taken for the class to build), but the maps
 * given as field values are remembered as received first, for `asReceived`.
 */
export class OwnKeysValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && isPlainObject(value)) {
      const inherited = inheritedNames(value);
      if (inherited.length) throw new BadRequestException(inherited.map((name) => `property ${name} should not exist`));
    }
    return super.transform(value, metadata);
  }

  protected override stripProtoKeys(value: unknown): void {
    if (isPlainObject(value)) {
      for (const field of Object.values(value)) {
        if (!isPlainObject(field)) continue;
        const copy = Object.create(null) as Record<string, unknown>;
        for (const [key, item] of Object.entries(field)) copy[key] = item;
        fieldObjectsAsReceived.set(field, copy);
      }
    }
    super.stripProtoKeys(value);
  }
}
