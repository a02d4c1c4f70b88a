import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { generateAppSecretToken, secretsEqual } from './secrets.js';

/**
 * Holds the admin API key. With SQLite and no ADMIN_API_KEY, a key is generated on first start and kept
 * (mode 0600) beside the database file, so a newcomer's `npm start` just works and restarts keep the key.
 * Postgres deployments must set the variable: start-up refuses otherwise (see parseEnvironment).
 */
@Injectable()
export class AdminApiKey implements OnModuleInit {
  private readonly logger = new Logger(AdminApiKey.name);
  private key = '';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    // A worker serves no management API: it needs no key, and must not announce one.
    if (this.config.role === 'worker') return;
    if (this.config.adminApiKey) {
      this.key = this.config.adminApiKey;
      return;
    }
    if (this.config.database.kind !== 'sqlite') throw new Error('ADMIN_API_KEY must be set');
    const file = join(dirname(this.config.database.path), 'admin-api-key');
    this.key = this.readOrCreate(file);
  }

  private matches(presented: string): boolean {
    return this.key !== '' && secretsEqual(presented, this.key);
  }

  /** Whether an `Authorization` header carries the key, as `Bearer <key>` (scheme in any case). */
  authorizes(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match !== null && this.matches(match[1]);
  }

  private readOrCreate(file: string): string {
    try {
      const existing = readFileSync(file, 'utf8').trim();
      if (existing) {
        this.logger.log(`Admin API key read from ${file}`);
        return existing;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = generateAppSecretToken();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    // Printed once, on purpose, to the terminal of whoever started the service: this is the only time it
    // is shown. It does not go through the structured logger, whose output may be shipped elsewhere.
    process.stdout.write(
      `\n  Generated an admin API key (saved to ${file}, mode 0600):\n\n    ${key}\n\n` +
        `  Use it as "Authorization: Bearer <key>". Set ADMIN_API_KEY to choose your own.\n\n`,
    );
    return key;
  }
}
