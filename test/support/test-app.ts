import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../../src/http-app.js';

export interface TestApp {
  app: NestFastifyApplication;
  server: Server;
  adminKey: string;
  /** `Authorization` header with the admin key, for supertest's `.set()`. */
  admin: { Authorization: string };
  dataDir: string;
  databasePath: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The folder in which the app's own temp folder is made (default: the OS's), e.g. a small tmpfs. */
  under?: string;
}

/**
 * The real application on a fresh SQLite file in its own temp folder, with private destinations allowed
 * (test sinks live on 127.0.0.1). `env` overrides any variable.
 */
export async function startTestApp(env: Record<string, string> = {}, { under = tmpdir() }: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(under, 'data-pusher-test-'));
  const databasePath = join(dataDir, 'data-pusher.sqlite');
  const adminKey = randomBytes(24).toString('base64url');
  let app: NestFastifyApplication;
  try {
    app = await createHttpApp({
      DATABASE_URL: `sqlite:${databasePath}`,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      ...env,
    });
  } catch (error) {
    // An app that cannot start leaves no temp folder behind.
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    server: app.getHttpServer(),
    adminKey,
    admin: { Authorization: `Bearer ${adminKey}` },
    dataDir,
    databasePath,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
