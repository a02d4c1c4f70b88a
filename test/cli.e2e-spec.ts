import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { freePort, type ServerProcess, startServerProcess } from './support/server-process.js';
import { startSink, type Sink } from './support/sink.js';

/** The package's bin, as `npx data-pusher` finds it. */
const BIN = join(process.cwd(), (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin['data-pusher']);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real binary in its own process, with only the environment given (and PATH). */
function run(args: string[], { env = {}, stdin }: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  const child = spawn(BIN, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npx data-pusher send: the sender command line against a running server', () => {
  let server: ServerProcess;
  let sink: Sink;
  let dir: string;
  let token = '';
  const adminKey = 'cli-test-admin-key-0123456789abcdef';
  const admin = { Authorization: `Bearer ${adminKey}` };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'data-pusher-cli-'));
    sink = await startSink();
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_DESTINATIONS: 'true' });
    const account = (await request(server.url).post('/accounts').set(admin).send({ email: 'cli@example.com', account_name: 'CLI' }).expect(201)).body;
    token = account.app_secret_token;
    await request(server.url)
      .post('/destinations')
      .set(admin)
      .send({ account_id: account.account_id, url: `${sink.url}/cli`, http_method: 'POST', headers: {} })
      .expect(201);
  }, 90_000);

  afterAll(async () => {
    await server?.kill('SIGKILL');
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const delivered = (body: string) => expectEventually(() => expect(sink.received.map((r) => r.body)).toContain(body));

  it('sends JSON given as an argument, prints the 202 answer and exits 0; the message is delivered', async () => {
    const result = await run(['send', '--url', server.url, '--token', token, '{"order_id": 42, "big": 12345678901234567890}']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(result.stdout);
    expect(answer).toEqual({ message_id: expect.any(String), status: 'accepted', destinations: 1 });
    await expectEventually(() => expect(sink.received.some((r) => r.headers['webhook-id'] === answer.message_id)).toBe(true));
  });

  it('reads the message from a file, and from stdin with -, with the token from DATA_PUSHER_TOKEN', async () => {
    const file = join(dir, 'message.json');
    writeFileSync(file, '{"from":"file"}');
    const env = { DATA_PUSHER_TOKEN: token, DATA_PUSHER_URL: server.url };
    expect(await run(['send', file], { env })).toMatchObject({ code: 0, stderr: '' });
    expect(await run(['send', '-'], { env, stdin: '{"from":"stdin"}' })).toMatchObject({ code: 0, stderr: '' });
    await delivered('{"from":"file"}');
    await delivered('{"from":"stdin"}');
  });

  it('sends --idempotency-key: the same key answers the first message_id again', async () => {
    const args = ['send', '--url', server.url, '--token', token, '--idempotency-key', 'cli-once', '{"once":true}'];
    const first = await run(args);
    const second = await run(args);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(JSON.parse(second.stdout).message_id).toBe(JSON.parse(first.stdout).message_id);
  });

  it('sends --event-type: only destinations whose event_types match get it, with the cl-x-event-type header', async () => {
    const account = (await request(server.url).get('/accounts').set(admin).expect(200)).body.data[0];
    await request(server.url)
      .post('/destinations')
      .set(admin)
      .send({ account_id: account.account_id, url: `${sink.url}/cli-invoices`, http_method: 'POST', headers: {}, event_types: ['invoice.*'] })
      .expect(201);
    const invoice = await run(['send', '--url', server.url, '--token', token, '--event-type', 'invoice.paid', '{"invoice":1}']);
    const order = await run(['send', '--url', server.url, '--token', token, '--event-type', 'order.created', '{"order":1}']);
    expect([invoice.code, order.code]).toEqual([0, 0]);
    expect(JSON.parse(invoice.stdout).destinations).toBe(2);
    expect(JSON.parse(order.stdout).destinations).toBe(1);
    const invoiceId = JSON.parse(invoice.stdout).message_id;
    await expectEventually(() => {
      const got = sink.received.filter((r) => r.headers['webhook-id'] === invoiceId);
      expect(got.map((r) => [r.path, r.headers['cl-x-event-type']]).sort()).toEqual([
        ['/cli', 'invoice.paid'],
        ['/cli-invoices', 'invoice.paid'],
      ]);
    });
    const bad = await run(['send', '--url', server.url, '--token', token, '--event-type', 'not valid', '{}']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('CL-X-EVENT-TYPE must be');
  });

  it('exits 1 with the error answer on stderr: unknown token, a body that is not a JSON object', async () => {
    const unknown = await run(['send', '--url', server.url, '--token', 'not-a-token', '{"a":1}']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('HTTP 401');
    expect(unknown.stderr).toContain('Un Authenticate');
    const notObject = await run(['send', '--url', server.url, '--token', token, '[1, 2]']);
    expect(notObject).toMatchObject({ code: 1, stdout: '' });
    expect(notObject.stderr).toContain('HTTP 400');
  });

  it('exits 1 when the server cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await run(['send', '--url', closed, '--token', token, '{"a":1}']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`no answer from ${closed}: ECONNREFUSED`);
  });

  it.each([
    ['no token', ['send', '{"a":1}'], 'no token: pass --token <app_secret_token> or set DATA_PUSHER_TOKEN'],
    ['a file that is not there', ['send', '--token', 't', 'missing.json'], '"missing.json" is neither a JSON object nor a file that can be read (ENOENT)'],
    ['a bad --url', ['send', '--token', 't', '--url', 'localhost:3000', '{"a":1}'], '--url must be an http(s) URL'],
    ['an unknown option', ['send', '--tokn', 't', '{"a":1}'], "unknown option '--tokn'"],
    ['an unknown command', ['post', '{"a":1}'], "unknown command 'post'"],
    ['no command', [], 'Usage: data-pusher'],
  ])('exits 2 on bad usage: %s', async (_, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('lists every command with --help and explains send with send --help (exit 0)', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: data-pusher');
    expect(help.stdout).toMatch(/send \[options\] \[message\]/);
    // As a user runs it: npx finds the package's own bin.
    const viaNpx = await new Promise<Run>((resolve) => {
      const child = spawn('npx', ['--offline', 'data-pusher', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(viaNpx).toMatchObject({ code: 0, stdout: help.stdout });
    const sendHelp = await run(['send', '--help']);
    expect(sendHelp.code).toBe(0);
    for (const option of ['--token', '--url', '--event-type', '--idempotency-key', 'DATA_PUSHER_TOKEN', 'exits 0 on 202']) {
      expect(sendHelp.stdout).toContain(option);
    }
  });
});
