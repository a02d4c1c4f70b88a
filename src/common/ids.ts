import { v7 } from 'uuid';

/**
 * UUIDv7 (RFC 9562, from the `uuid` package): a millisecond timestamp, then random bits, monotonic within a
 * process. Time-ordered, so ordering by id is ordering by creation and keyset pagination needs one column.
 * Ids are identifiers, not secrets.
 */
export function newId(): string {
  return v7();
}
