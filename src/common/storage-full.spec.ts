import { QueryFailedError } from 'typeorm';
import { isStorageFull, storageFullCode } from './storage-full.js';

/** better-sqlite3's SqliteError: an Error with the extended result code as `code`. */
function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code });
}

/** pg's DatabaseError as node-postgres builds it from the server's ErrorResponse. */
function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'error', code, severity: 'ERROR', routine: 'mdextend', file: 'md.c' });
}

describe('storageFullCode', () => {
  it('names SQLite full-disk errors, bare or wrapped by TypeORM', () => {
    const full = sqliteError('SQLITE_FULL', 'database or disk is full');
    expect(storageFullCode(full)).toBe('SQLITE_FULL');
    expect(storageFullCode(new QueryFailedError('COMMIT', [], full))).toBe('SQLITE_FULL');
  });

  it('names SQLite I/O errors and their extended codes', () => {
    for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHMSIZE']) {
      expect(storageFullCode(new QueryFailedError('INSERT INTO t VALUES (?)', ['x'], sqliteError(code, 'disk I/O error')))).toBe(code);
    }
  });

  it("names PostgreSQL's disk_full (53100), as TypeORM wraps it", () => {
    const error = postgresError('53100', 'could not extend file "base/16384/16397": No space left on device');
    expect(storageFullCode(error)).toBe('53100');
    expect(storageFullCode(new QueryFailedError('INSERT INTO messages VALUES ($1)', ['x'], error))).toBe('53100');
  });

  it('leaves every other error alone', () => {
    const others: unknown[] = [
      new QueryFailedError('INSERT', [], sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: accounts.email')),
      new QueryFailedError('INSERT', [], sqliteError('SQLITE_BUSY', 'database is locked')),
      new QueryFailedError('INSERT', [], postgresError('23505', 'duplicate key value violates unique constraint')),
      // Not the storage: out of memory, too many connections; and EIO, a broken device (see storage-full.ts).
      postgresError('53200', 'out of memory'),
      postgresError('53300', 'sorry, too many clients already'),
      postgresError('58030', 'could not read block 0: Input/output error'),
      Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }),
      new Error('SQLITE_FULL mentioned only in a message'),
      { code: 42 },
      'SQLITE_FULL',
      null,
      undefined,
    ];
    for (const error of others) expect(isStorageFull(error)).toBe(false);
  });
});
