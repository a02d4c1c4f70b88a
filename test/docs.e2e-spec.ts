import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

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

const SUCCESS: Record<string, string> = { post: '201', get: '200', put: '200', patch: '200', delete: '204' };

describe('API documentation', () => {
  let t: TestApp;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.server).get('/docs-json').expect(200)).body as OpenApi;
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the Swagger UI at /docs without auth', async () => {
    const res = await request(t.server).get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('serves the OpenAPI JSON at /docs-json without auth', async () => {
    const res = await request(t.server).get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.info.title).toBe('Data Pusher');
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
