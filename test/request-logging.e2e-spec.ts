import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from './support/expect-eventually.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { type Sink, startSink } from './support/sink.js';

interface RequestLine {
  level: number;
  req: { id: string; method: string; path: string };
  res: { statusCode: number };
  responseTime: number;
}

/** The service's request log lines so far: one JSON object per line, those with a `req`. */
function requestLines(server: ServerProcess): RequestLine[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Partial<RequestLine>)
    .filter((line): line is RequestLine => line.req !== undefined);
}

describe('request logging (a real service process, LOG_LEVEL=info)', () => {
  let dataDir: string;
  let server: ServerProcess;
  const adminKey = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-logging-'));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs each request as one JSON line with id, method, path, status and duration, and answers with its x-request-id', async () => {
    const res = await fetch(`${server.url}/accounts?email=query-secret%40example.com&limit=5`, {
      headers: { Authorization: `Bearer ${adminKey}`, 'x-request-id': 'client-chosen-id.42' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-chosen-id.42');

    const line = await expectEventually(() => {
      const found = requestLines(server).find((entry) => entry.req.id === 'client-chosen-id.42');
      expect(found).toBeDefined();
      return found as RequestLine;
    });
    expect(line).toEqual(
      expect.objectContaining({ level: 30, req: { id: 'client-chosen-id.42', method: 'GET', path: '/accounts' }, res: { statusCode: 200 } }),
    );
    expect(line.responseTime).toEqual(expect.any(Number));
  });

  it('gives every answer a fresh id (also those refused before any handler runs) unless the client sent a sane one', async () => {
    const refused = await fetch(`${server.url}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': 'token-secret-value', 'Content-Type': 'application/json', 'x-request-id': 'not sane: spaces\tand tabs' },
      body: JSON.stringify({ card: 'payload-secret-value' }),
    });
    expect(refused.status).toBe(401);
    const id = refused.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expectEventually(() =>
      expect(requestLines(server).find((entry) => entry.req.id === id)).toEqual(
        expect.objectContaining({ req: { id, method: 'POST', path: '/server/incoming_data' }, res: { statusCode: 401 } }),
      ),
    );
    const other = await fetch(`${server.url}/no-such-route`);
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.headers.get('x-request-id')).not.toBe(id);
  });

  it('never logs headers, bodies or query values, and leaves /health out', async () => {
    await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'health-probe' } });
    const marker = await fetch(`${server.url}/accounts?email=query-secret%40example.com`, { headers: { Authorization: `Bearer ${adminKey}` } });
    const markerId = marker.headers.get('x-request-id');
    await expectEventually(() => expect(requestLines(server).some((entry) => entry.req.id === markerId)).toBe(true));

    const output = server.output();
    for (const secret of [adminKey, 'query-secret', 'token-secret-value', 'payload-secret-value']) expect(output).not.toContain(secret);
    expect(requestLines(server).some((entry) => entry.req.id === 'health-probe')).toBe(false);
  });
});

interface LogLine {
  level: number;
  msg?: string;
  context?: string;
  req?: { id: string };
}

describe('log lines of background work (a real service process)', () => {
  let dataDir: string;
  let server: ServerProcess;
  let sink: Sink;
  const adminKey = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-pusher-background-logs-'));
    sink = await startSink();
    server = await startServerProcess({
      DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`,
      ADMIN_API_KEY: adminKey,
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await server?.kill('SIGTERM');
    await sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  it('carry no request id: recording an attempt that fails after an ingest is logged as no request\'s', async () => {
    const admin = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
    const account = (await (
      await fetch(`${server.url}/accounts`, { method: 'POST', headers: admin, body: JSON.stringify({ email: 'bg@example.com', account_name: 'Bg' }) })
    ).json()) as { account_id: string; app_secret_token: string };
    const created = await fetch(`${server.url}/destinations`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ account_id: account.account_id, url: `${sink.url}/bg`, http_method: 'POST', headers: {} }),
    });
    expect(created.status).toBe(201);
    // The attempt goes out, but its record cannot be written: the recorder and the scheduler each log an error,
    // from work that the ingest below started.
    const db = new Database(join(dataDir, 'db.sqlite'));
    try {
      db.pragma('busy_timeout = 5000');
      db.exec("CREATE TRIGGER refuse_attempts BEFORE INSERT ON delivery_attempts BEGIN SELECT RAISE(ABORT, 'attempts refused by the test'); END");
    } finally {
      db.close();
    }

    const ingest = await fetch(`${server.url}/server/incoming_data`, {
      method: 'POST',
      headers: { 'CL-X-TOKEN': account.app_secret_token, 'Content-Type': 'application/json', 'x-request-id': 'the-ingest-42' },
      body: '{"background": true}',
    });
    expect(ingest.status).toBe(202);
    await expectEventually(() => expect(sink.received).toHaveLength(1));
    const background = await expectEventually(() => {
      const found = lines().filter((line) => /Recording an attempt failed|Could not record an attempt/.test(line.msg ?? ''));
      expect(found.map((line) => line.context).sort()).toEqual(['DeliveryRecorder', 'DeliveryScheduler']);
      return found;
    });
    for (const line of background) {
      expect(line.req).toBeUndefined();
      expect(JSON.stringify(line)).not.toContain('the-ingest-42');
    }
    // The ingest's own request line has its id: the id was there to be inherited.
    expect(lines().some((line) => line.req?.id === 'the-ingest-42')).toBe(true);
  });
});
