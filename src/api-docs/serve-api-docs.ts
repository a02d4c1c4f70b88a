import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_SECURITY_SCHEME, APP_TOKEN_SECURITY_SCHEME } from '../common/auth.decorators.js';
import { docsContentSecurityPolicy } from './content-security-policy.js';

const API_DESCRIPTION = `Data Pusher receives JSON on \`POST /server/incoming_data\` and delivers it to every destination of
the account whose \`CL-X-TOKEN\` came with it. Manage accounts and destinations here with the admin API key
(\`Authorize\` → admin-api-key; this tab keeps it until it is closed or reloaded). Errors are always
\`{"statusCode", "error", "message"}\`; ids are UUIDs; lists are paginated with \`limit\` and the \`next_cursor\` of
the previous page; trailing slashes are accepted.`;

const DOCS_PATH = '/docs';
const DOCS_JSON_PATH = '/docs-json';

/**
 * Swagger UI at /docs and the OpenAPI JSON at /docs-json. Swagger UI runs in this API's origin, beside the
 * console, with the admin key in hand, so:
 * - no `persistAuthorization`: the key stays in the page's memory, never in localStorage, where it would
 *   outlive the tab and be readable by every page of the origin;
 * - a CSP lets no script run but Swagger UI's own files, and no other site frame the page (clickjacking).
 */
export function serveApiDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Data Pusher')
      .setDescription(API_DESCRIPTION)
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'ADMIN_API_KEY', description: 'The admin API key' }, ADMIN_SECURITY_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'CL-X-TOKEN', description: "An account's app secret token" }, APP_TOKEN_SECURITY_SCHEME)
      .build(),
  );
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, { jsonDocumentUrl: DOCS_JSON_PATH.slice(1) });
  app.getHttpAdapter().getInstance().addHook('onSend', async (request, reply, payload) => {
    if (isDocsRoute(request)) secure(reply, payload);
    return payload;
  });
}

function isDocsRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url === DOCS_PATH || url === DOCS_JSON_PATH || (url?.startsWith(`${DOCS_PATH}/`) ?? false);
}

function secure(reply: FastifyReply, payload: unknown): void {
  // The page's inline styles are allowed by their hashes, so the policy is made from the page being sent.
  const html = typeof payload === 'string' && /^text\/html/.test(String(reply.getHeader('content-type') ?? '')) ? payload : '';
  reply.headers({
    'content-security-policy': docsContentSecurityPolicy(html),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
}
