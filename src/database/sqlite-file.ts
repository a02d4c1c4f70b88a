import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates the SQLite database file (0600) and any folder of its path that is missing (0700) before SQLite
 * opens it: the file holds signing secrets and destination headers, and SQLite would create it 0644 in a
 * 0755 folder. Its `-wal` and `-shm` files take the database file's mode, so they are owner-only too. A file
 * or folder that exists already is left as its owner made it.
 */
export function createOwnerOnlySqliteFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // 'a' creates the file if it is missing and never truncates one that exists.
  closeSync(openSync(path, 'a', 0o600));
}
