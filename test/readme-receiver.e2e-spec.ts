import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The README's signature receiver (`receiver.mjs`), run as written against real deliveries. */
describe("the README's signature receiver", () => {
  let t: TestApp;
  // Inside the project (ignored by git), so that `standardwebhooks` resolves as it does for a reader.
  const dir = join(process.cwd(), '.scratch', `receiver-${process.pid}`);
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    mkdirSync(dir, { recursive: true });
    const readme = readFileSync('README.md', 'utf8');
    const code = /```js\n(\/\/ receiver\.mjs[\s\S]*?)```/.exec(readme)?.[1];
    if (!code) throw new Error('README.md has no ```js block starting with // receiver.mjs');
    writeFileSync(join(dir, 'receiver.mjs'), code);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the receiver for one destination's secret and returns its output so far, as it grows. */
  async function startReceiver(secret: string, port: number): Promise<() => string> {
    const child = spawn(process.execPath, [join(dir, 'receiver.mjs')], { env: { PATH: process.env.PATH, SIGNING_SECRET: secret, PORT: String(port) } });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expectEventually(() => fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' }).then(() => undefined));
    return () => output;
  }

  it.each([
    ['POST', '/hook', { event: 'order.created', order_id: 42 }, 'verified POST {"event":"order.created","order_id":42}'],
    ['GET', '/poll', { event: 'order.created', order_id: 42 }, 'verified GET {"event":"order.created","order_id":"42"}'],
  ])('verifies a %s delivery and prints its data', async (method, path, payload, line) => {
    const port = await freePort();
    const account = await createAccount(t);
    const destination = await createDestination(t, account.account_id, { url: `http://127.0.0.1:${port}${path}`, http_method: method });
    const output = await startReceiver(destination.signing_secret, port);
    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send(payload).expect(202);
    await expectEventually(() => expect(output()).toContain(line));
    expect(output()).not.toContain('undefined');
  });
});
