import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as integer epoch milliseconds: the same type and comparison semantics on SQLite and
 * PostgreSQL, and cheap to compare on the delivery hot path. node-postgres returns BIGINT as a string,
 * hence the transformer.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
