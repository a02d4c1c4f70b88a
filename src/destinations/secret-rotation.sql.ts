import { empty, raw } from 'sql-template-tag';
import { type Dialect, sql, type SqlValue, type SqlWork } from '../database/sql.js';
import { rotatedSecrets, type SigningSecrets } from './secret-rotation.js';

export type RotationOutcome = { rotated: SigningSecrets; updatedAt: number } | 'not found' | 'same secret';

const timeOrNull = (value: SqlValue) => (value === null ? null : Number(value));

/**
 * Rotates a destination's signing secret as one read-modify-write: the row is read and locked (FOR UPDATE on
 * Postgres; on SQLite the transaction holds the one connection and the write lock), so concurrent rotations
 * take turns and each one keeps the secret it replaced. Without the lock, 150 concurrent rotations on
 * Postgres left 146 replaced secrets out of the chain: answered with 200, they never signed anything.
 */
export function* rotateSigningSecret(id: string, next: string, now: number, overlapMs: number, dialect: Dialect): SqlWork<RotationOutcome> {
  const lock = dialect === 'postgres' ? raw(' FOR UPDATE') : empty;
  const { rows } = yield sql`SELECT signing_secret, previous_signing_secret, previous_secret_expires_at, older_signing_secret,
                                    older_secret_expires_at, updated_at
                               FROM destinations WHERE id = ${id}${lock}`;
  if (!rows.length) return 'not found';
  const row = rows[0];
  const current: SigningSecrets = {
    signingSecret: String(row.signing_secret),
    previousSigningSecret: row.previous_signing_secret === null ? null : String(row.previous_signing_secret),
    previousSecretExpiresAt: timeOrNull(row.previous_secret_expires_at),
    olderSigningSecret: row.older_signing_secret === null ? null : String(row.older_signing_secret),
    olderSecretExpiresAt: timeOrNull(row.older_secret_expires_at),
  };
  if (current.signingSecret === next) return 'same secret';
  const rotated = rotatedSecrets(current, next, now, overlapMs);
  const updatedAt = Math.max(now, Number(row.updated_at));
  yield sql`UPDATE destinations
               SET signing_secret = ${rotated.signingSecret},
                   previous_signing_secret = ${rotated.previousSigningSecret}, previous_secret_expires_at = ${rotated.previousSecretExpiresAt},
                   older_signing_secret = ${rotated.olderSigningSecret}, older_secret_expires_at = ${rotated.olderSecretExpiresAt},
                   updated_at = ${updatedAt}
             WHERE id = ${id}`;
  return { rotated, updatedAt };
}
