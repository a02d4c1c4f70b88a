import { registerAs } from '@nestjs/config';
import { type AppConfig, parseEnvironment } from './environment.js';

/**
 * The typed `app` configuration namespace of @nestjs/config, read from the given environment (tests pass
 * their own instead of mutating process.env). Inject it with `@Inject(APP_CONFIG)`.
 */
export function appConfigNamespace(env: Record<string, string | undefined>) {
  return registerAs('app', (): AppConfig => parseEnvironment(env));
}

export const APP_CONFIG = appConfigNamespace({}).KEY;
export type { AppConfig };
