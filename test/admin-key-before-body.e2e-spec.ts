import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ADMIN_KEY_REQUIRED } from '../src/common/auth.decorators.js';
import { expectErrorShape } from './support/error-shape.js';
import { RawHttpConnection } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type OpenApi = { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>> };

/** What a body of the largest size the server takes announces (MAX_PAYLOAD_BYTES' default): it never comes. */
const ANNOUNCED_BODY = 1024 * 1024;
/** "At once": the server answers from the head alone. Without the early check it would wait for the body. */
const AT_ONCE_MS = 2_000;

/** Every route of the API as the docs list it: `[METHOD, path with its parameters filled in, needs the admin key]`. */
function routesOf(doc: OpenApi): Array<[string, string, boolean]> {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]): [string, string, boolean] => [
      method.toUpperCase(),
      path.replace(/\{[^}]+\}/g, () => randomUUID()),
      (operation.security ?? []).some((scheme) => 'admin-api-key' in scheme),
    ]),
  );
}

/**
 * A caller without the admin key must not make the server read, parse or validate anything: every admin route
 * answers 401 from the request's head, as ingest does for its token (contract: Management API).
 */
describe('the admin key, checked before the body', () => {
  let t: TestApp;
  let port: number;
  let adminRoutes: Array<[string, string]>;
  let otherRoutes: string[];

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const routes = routesOf((await request(t.server).get('/docs-json').expect(200)).body as OpenApi);
    adminRoutes = routes.filter(([, , admin]) => admin).map(([method, path]) => [method, path]);
    otherRoutes = routes.filter(([, , admin]) => !admin).map(([method, path]) => `${method} ${path}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('covers every route but health, metrics and ingest (a route without an auth decorator is an admin route)', () => {
    expect(adminRoutes.length).toBeGreaterThan(20);
    expect(otherRoutes.sort()).toEqual(['GET /health', 'GET /metrics', 'POST /server/incoming_data']);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { Authorization: 'Bearer not-the-admin-key' }],
    ['another scheme', { Authorization: 'Basic YWRtaW46YWRtaW4=' }],
  ])('answers 401 at once, with %s, on every admin route, to a head announcing 1 MiB and no body', async (_name, auth) => {
    const late: string[] = [];
    for (const [method, path] of adminRoutes) {
      const connection = new RawHttpConnection(port);
      try {
        connection.sendHead(method, path, { 'Content-Type': 'application/json', 'Content-Length': String(ANNOUNCED_BODY), ...auth });
        const answer = await connection.answer(AT_ONCE_MS);
        expect(answer.status).toBe(401);
        expect(expectErrorShape(JSON.parse(answer.body), 401)).toEqual([ADMIN_KEY_REQUIRED]);
      } catch (error) {
        late.push(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        connection.close();
      }
    }
    expect(late).toEqual([]);
  });

  it('waits for the body when the key is right (so an answer from the head alone is the early check, not an error)', async () => {
    const connection = new RawHttpConnection(port);
    try {
      const body = Buffer.from(JSON.stringify({ email: 'early@example.com', account_name: 'x'.repeat(ANNOUNCED_BODY - 60) }).padEnd(ANNOUNCED_BODY, ' '));
      connection.sendHead('POST', '/accounts', { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...t.admin });
      await expect(connection.answer(500)).rejects.toThrow(/no answer/);
      connection.sendBody(body);
      const answer = await connection.answer(10_000);
      // The body was read and validated: account_name is too long.
      expect(answer.status).toBe(400);
    } finally {
      connection.close();
    }
  });

  it('still answers the public routes without a key', async () => {
    await request(t.server).get('/health').expect(200);
    await request(t.server).get('/docs').expect(200);
    await request(t.server).get('/console').expect((res) => expect([200, 503]).toContain(res.status));
    // Ingest keeps its own 401, with its own message.
    expect((await request(t.server).post('/server/incoming_data').send({}).expect(401)).body.message).toBe('Un Authenticate');
  });
});
