import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * An integer from `min` to `max`, with one message for every way of missing it: class-validator's IsInt, Min
 * and Max together would list two or three lines for one wrong value.
 */
export function IsIntegerInRange(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isIntegerInRange',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min, max],
      options: { message: `$property must be an integer from ${min} to ${max}`, ...options },
      validator: {
        validate: (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
      },
    });
  };
}
