import { QueryFailedError } from 'typeorm';

/** A unique index as each database names it in its error: Postgres by the index name, SQLite by its columns. */
export interface UniqueIndex {
  name: string;
  table: string;
  columns: string[];
}

/** Whether a failed write ran into this unique index, on SQLite or on Postgres. */
export function violatesUniqueIndex(error: unknown, index: UniqueIndex): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string; message?: string };
  if (driverError.code === '23505') return driverError.constraint === index.name;
  if (driverError.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    // "UNIQUE constraint failed: accounts.email"
    const columns = index.columns.map((column) => `${index.table}.${column}`).join(', ');
    return driverError.message?.endsWith(`: ${columns}`) ?? false;
  }
  return false;
}
