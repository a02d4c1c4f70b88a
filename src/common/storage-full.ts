/**
 * The error codes that mean the database cannot write its files:
 * - SQLite: SQLITE_FULL, and SQLITE_IOERR with its extended codes (SQLITE_IOERR_WRITE, _FSYNC, _SHMSIZE,
 *   ...): on a full disk only the main writes come back as SQLITE_FULL; growing the -shm file, syncing
 *   or truncating fail as I/O errors.
 * - PostgreSQL: 53100 disk_full, which is what Postgres reports for every ENOSPC. Not the rest of class 53
 *   (out of memory, too many connections: not the storage) nor 58030 io_error: that is EIO, a failing
 *   device (reads included), which no waiting fixes, so it stays a logged 500 that someone looks at.
 */
// Here beside the error filter that maps it to 503: common/ imports no feature folder.
const POSTGRES_DISK_FULL = '53100';

function isStorageCode(code: string): boolean {
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_') || code === POSTGRES_DISK_FULL;
}

function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' ? error.code : null;
}

/**
 * The driver's code when the error says the database cannot write its files (disk full), else null. Takes
 * the driver's own error (better-sqlite3's SqliteError, pg's DatabaseError) or TypeORM's QueryFailedError
 * around it.
 */
export function storageFullCode(error: unknown): string | null {
  const driverError = typeof error === 'object' && error !== null && 'driverError' in error ? error.driverError : undefined;
  for (const code of [codeOf(error), codeOf(driverError)]) if (code !== null && isStorageCode(code)) return code;
  return null;
}

export function isStorageFull(error: unknown): boolean {
  return storageFullCode(error) !== null;
}
