import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
  schema?: { example?: unknown };
}
interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  responses: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
}
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

/** Every management operation of the contract, with the error answers it must document besides 401. */
const MANAGEMENT: Array<[string, string, string[]]> = [
  ['post', '/accounts', ['400', '409']],
  ['get', '/accounts', ['400']],
  ['get', '/accounts/{account_id}', ['400', '404']],
  ['put', '/accounts/{account_id}', ['400', '404', '409']],
  ['patch', '/accounts/{account_id}', ['400', '404', '409']],
  ['delete', '/accounts/{account_id}', ['400', '404']],
  ['post', '/accounts/{account_id}/rotate-token', ['400', '404']],
  ['get', '/accounts/{account_id}/destinations', ['400', '404']],
  ['post', '/destinations', ['400', '404']],
  ['get', '/destinations', ['400']],
  ['get', '/destinations/{destination_id}', ['400', '404']],
  ['put', '/destinations/{destination_id}', ['400', '404']],
  ['patch', '/destinations/{destination_id}', ['400', '404']],
  ['delete', '/destinations/{destination_id}', ['400', '404']],
];

type RequestBodyOperation = { requestBody: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } };

/** Names of fields and headers that hold secrets: a value given for one is a secret shown to everyone. */
const SECRET_NAME = /secret|token|password|passphrase|api[-_]?key|authorization|signature|credential/i;
/** Values that are secrets whatever they are called. */
const SECRET_VALUE = [
  /whsec_/i,
  /Bearer\s+[A-Za-z0-9._~+/-]{8,}/i,
  // What a generated token or key looks like (base64/base64url of 16+ bytes), but not a UUID.
  /^(?![0-9a-f]{8}-[0-9a-f]{4}-)[A-Za-z0-9+/_-]{20,}={0,2}$/,
];

/**
 * Where the document gives a value (`example`, `examples`, `default`) that is a secret by its name or by its
 * look, walked to every leaf: Swagger UI shows these to anyone, and "Try it out" sends them.
 */
function secretLookingExamples(node: unknown, path = '', name = ''): string[] {
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  // A parameter's example is named by the parameter (`CL-X-TOKEN`), a property's by the property.
  const parameter = typeof record.name === 'string' && typeof record.in === 'string' ? record.name : null;
  const here = parameter === null ? path : `${path}[${parameter}]`;
  const owner = parameter ?? name;
  return Object.entries(record).flatMap(([key, value]) => {
    const child = here ? `${here}.${key}` : key;
    return ['example', 'examples', 'default'].includes(key) ? secretsIn(value, child, owner) : secretLookingExamples(value, child, key);
  });
}

/** The leaves of an example that are secrets: by the name they are given under, or by their look. */
function secretsIn(value: unknown, path: string, name: string): string[] {
  if (typeof value === 'string') return (value !== '' && SECRET_NAME.test(name)) || SECRET_VALUE.some((pattern) => pattern.test(value)) ? [path] : [];
  if (typeof value === 'number' || typeof value === 'boolean') return SECRET_NAME.test(name) ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => secretsIn(item, `${path}.${key}`, Array.isArray(value) ? name : key));
}

const SUCCESS: Record<string, string> = { post: '201', get: '200', put: '200', patch: '200', delete: '204' };

/**
 * The document as the built service serves it (`node dist/src/main.js`), not as the app looks under Jest:
 * Jest loads modules its own way, and a library that documents routes only where it can load another (terminus
 * and @nestjs/swagger) once made the two differ.
 */
describe('API documentation', () => {
  let dataDir: string;
  let server: ServerProcess;
  let doc: OpenApi;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-docs-'));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`, ADMIN_API_KEY: 'docs-test-admin-key' });
    doc = (await (await fetch(`${server.url}/docs-json`)).json()) as OpenApi;
  }, 60_000);
  afterAll(async () => {
    await server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the Swagger UI at /docs without auth', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/swagger-ui/i);
  });

  it('serves the OpenAPI JSON at /docs-json without auth', async () => {
    const res = await fetch(`${server.url}/docs-json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { openapi: string; info: { title: string } };
    expect(body.openapi).toMatch(/^3\./);
    expect(body.info.title).toBe('Data Pusher');
  });

  it.each(['/docs', '/docs/', '/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js', '/docs-json'])(
    'serves %s with a policy that no other site may frame it and no inline script may run',
    async (path) => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      const policy = res.headers.get('content-security-policy') ?? '';
      expect(policy).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(policy).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    },
  );

  it('tells Swagger UI not to keep the admin key (no persistAuthorization)', async () => {
    const init = await (await fetch(`${server.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toMatch(/customOptions/);
    expect(init).not.toMatch(/persistAuthorization/);
  });

  it('fills in no secret anywhere: no example or default looks like a signing secret, token or key', () => {
    expect(secretLookingExamples(doc)).toEqual([]);
  });

  it('recognises the secrets it looks for', () => {
    const leaks = secretLookingExamples({
      a: { properties: { signing_secret: { example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, app_secret_token: { example: 'short' } } },
      b: { parameters: [{ name: 'CL-X-TOKEN', in: 'header', example: 'abc' }], default: { headers: { Authorization: 'Bearer abcdefgh12345678' } } },
      c: { examples: { one: { value: { note: 'q3Jx0b1mW8cK1Yv0f9sZr2u5Q7n4t6e8a0c2d4f6h8j' } } } },
      fine: { example: { account_id: '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', url: 'https://hooks.example.com/data-pusher', message: 'Authorization: Bearer <ADMIN_API_KEY>' } },
    });
    expect(leaks).toEqual([
      'a.properties.signing_secret.example',
      'a.properties.app_secret_token.example',
      'b.parameters.0[CL-X-TOKEN].example',
      'b.default.headers.Authorization',
      'c.examples.one.value.note',
    ]);
  });

  it('prefills rotate-secret with an empty body: the server generates the secret', () => {
    const body = (doc.paths['/destinations/{destination_id}/rotate-secret'].post as unknown as RequestBodyOperation).requestBody;
    expect(Object.values(body.content['application/json'].examples ?? {}).map((example) => example.value)).toEqual([{}]);
  });

  it.each(MANAGEMENT)('documents %s %s with its answers, behind the admin key', (method, path, errors) => {
    const operation = doc.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(operation.security).toEqual([{ 'admin-api-key': [] }]);
    const rotate = path.endsWith('/rotate-token');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([rotate ? '200' : SUCCESS[method], '401', ...errors]));
    for (const status of ['401', ...errors]) {
      expect(operation.responses[status].content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/ErrorResponseDto');
    }
  });

  it('declares both security schemes', () => {
    expect(doc.components.securitySchemes['admin-api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes['app-secret-token']).toMatchObject({ type: 'apiKey', in: 'header', name: 'CL-X-TOKEN' });
  });

  it('describes the error shape', () => {
    expect(Object.keys(doc.components.schemas.ErrorResponseDto.properties ?? {}).sort()).toEqual(['error', 'message', 'statusCode']);
  });

  it('documents the token on create and rotation, and never on reads', () => {
    const schemaOf = (path: string, method: string, status: string) => {
      const ref = doc.paths[path][method].responses[status].content?.['application/json']?.schema?.$ref ?? '';
      return doc.components.schemas[ref.replace('#/components/schemas/', '')];
    };
    expect(schemaOf('/accounts', 'post', '201').properties).toHaveProperty('app_secret_token');
    expect(schemaOf('/accounts/{account_id}/rotate-token', 'post', '200').properties).toHaveProperty('app_secret_token');
    expect(schemaOf('/accounts/{account_id}', 'get', '200').properties).not.toHaveProperty('app_secret_token');
    expect(schemaOf('/destinations/{destination_id}', 'get', '200').properties).toHaveProperty('signing_secret');
  });

  it('documents the list queries', () => {
    const names = (path: string) => (doc.paths[path].get as unknown as { parameters: Array<{ name: string }> }).parameters.map((p) => p.name);
    expect(names('/accounts')).toEqual(expect.arrayContaining(['limit', 'cursor', 'email']));
    expect(names('/destinations')).toEqual(expect.arrayContaining(['limit', 'cursor', 'account_id']));
    expect(names('/accounts/{account_id}/destinations')).toEqual(expect.arrayContaining(['account_id', 'limit', 'cursor']));
  });

  it.each(['/server/incoming_data', '/accounts/{account_id}/messages'])(
    'lets Swagger UI send %s without the optional idempotency and event-type headers, prefilling none',
    (path) => {
      const headers = (doc.paths[path].post.parameters ?? []).filter((p) => p.in === 'header');
      expect(headers.map((p) => p.name.toLowerCase()).sort()).toEqual(['cl-x-event-id', 'cl-x-event-type', 'idempotency-key']);
      expect(headers.filter((p) => p.required)).toEqual([]);
      expect(headers.filter((p) => (p.example ?? p.schema?.example) !== undefined)).toEqual([]);
    },
  );

  it('prefills no optional list filter (Swagger UI would send the example)', () => {
    for (const path of ['/accounts', '/destinations', '/accounts/{account_id}/messages']) {
      const withExample = (doc.paths[path].get.parameters ?? []).filter((p) => p.in === 'query' && (p.example ?? p.schema?.example) !== undefined);
      expect(withExample.map((p) => `${path} ${p.name}`)).toEqual([]);
    }
  });

  it('shows each error answer with an example of its own status', () => {
    const wrong: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const example = response.content?.['application/json']?.example as { statusCode?: number; error?: string } | undefined;
          if (example?.statusCode !== Number(status) || typeof example.error !== 'string') wrong.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
