import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageContentSecurityPolicy } from '../common/content-security-policy.js';

export const CONSOLE_PATH = '/console';

/**
 * The console's pages show data written by strangers (payloads, header values, error texts): if one of them
 * ever reached the DOM as HTML, this policy still lets no script run but the console's own files, and lets
 * the page talk to no other origin.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = pageContentSecurityPolicy();

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** `dist/console`, where `npm run build` (vite) writes the console, found from this file in src/ or dist/src/. */
export function consoleBuildDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the console module');
    dir = parent;
  }
  return join(dir, 'dist', 'console');
}

function secure(reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS);
}

/**
 * Serves the built admin console at /console/ from every process that serves the API. Its files are public
 * (they hold no secret); every call it makes goes to the public API with the admin key the user signs in with.
 */
export async function serveConsole(app: NestFastifyApplication, root = consoleBuildDir()): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(join(root, 'index.html'))) {
    // Only the TypeScript half of the build ran (tsc alone): say how to get the console instead of a bare 404.
    fastify.get(`${CONSOLE_PATH}/*`, (_request, reply) =>
      secure(reply).code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build`.\n'),
    );
    return;
  }
  // The page itself at /console (and /console/: trailing slashes are ignored); read once, it changes only
  // with a new build, which means a restart.
  const page = readFileSync(join(root, 'index.html'));
  fastify.get(CONSOLE_PATH, (_request, reply) =>
    secure(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page),
  );
  await app.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PATH}/`,
    decorateReply: false,
    index: false,
    // The file names of the bundles carry a content hash; index.html does not and must be revalidated.
    setHeaders: (reply, path) => {
      secure(reply).header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
}
