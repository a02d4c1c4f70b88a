import { join, type Sql } from 'sql-template-tag';
import type { Row, SqlValue, SqlWork } from './sql.js';

/**
 * The most values one statement binds in an IN list or a multi-row insert. Lists whose length comes from
 * user data (an account's 32,800 destinations) would pass SQLite's and Postgres' limits on bound
 * variables (32,766 and 65,535) and make one statement as slow as all of them.
 */
export const MAX_LIST = 500;

/** Splits items into runs of at most `size`: one statement per run. */
export function chunks<T>(items: readonly T[], size = MAX_LIST): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += size) runs.push(items.slice(start, start + size));
  return runs;
}

/** `(?, ?, …)` for the values of one chunk; refuses more than MAX_LIST, so an unchunked list fails early. */
export function inList(values: readonly SqlValue[]): Sql {
  if (!values.length || values.length > MAX_LIST) {
    throw new RangeError(`An IN list takes 1 to ${MAX_LIST} values (got ${values.length}): split them with chunks()`);
  }
  return join(values, ', ', '(', ')');
}

/** Runs the statement once per chunk of `values`, each given as its IN list, and returns all their rows. */
export function* selectIn(values: readonly SqlValue[], statementFor: (list: Sql) => Sql): SqlWork<Row[]> {
  const rows: Row[] = [];
  for (const chunk of chunks(values)) rows.push(...(yield statementFor(inList(chunk))).rows);
  return rows;
}
