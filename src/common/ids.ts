import { v7 as uuidv7 } from 'uuid';

/** UUIDv7: time-ordered, so ordering by id is ordering by creation and keyset pagination needs one column. */
export function newId(): string {
  return uuidv7();
}
