import { mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import request from 'supertest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../src/console/serve-console.js';
import { keepOnLoopback, launchChromium, requireChromium } from './support/browser.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination, uniqueEmail } from './support/factories.js';
import { type Sink, startSink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The screenshots in the README come from this test: `UPDATE_SCREENSHOTS=1` writes them into docs/ (to
// commit); otherwise into a temp folder, so a test run leaves the work tree clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS ? join(process.cwd(), 'docs') : mkdtempSync(join(tmpdir(), 'console-shots-'));

const describeWithChromium = await requireChromium();

describeWithChromium('admin console in a real browser', () => {
  let t: TestApp;
  let sink: Sink;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const requested: Request[] = [];
  /** Requests the page tried to make to anywhere but this machine (none: the console loads nothing from the internet). */
  let offMachine: string[] = [];

  beforeAll(async () => {
    // One quick retry: a broken sink turns a delivery into `failed` within a second.
    [t, sink, browser] = await Promise.all([startTestApp({ RETRY_SCHEDULE: '100ms' }), startSink(), launchChromium()]);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  // A fresh context per test: its own sessionStorage, as a new tab would have.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (sent) => requested.push(sent));
    offMachine = await keepOnLoopback(page);
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([t?.close(), sink?.close()]);
  });

  const signIn = async () => {
    await page.goto(`${base}/console`);
    await page.getByLabel('Admin API key').fill(t.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  };

  const send = (token: string, body: string, eventType?: string) => {
    const sent = request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', token).set('Content-Type', 'application/json');
    if (eventType) void sent.set('CL-X-EVENT-TYPE', eventType);
    return sent.send(body).expect(202);
  };

  /**
   * Sends from the "send test message" page open in the browser, and waits for the answer: on 202, until the
   * page links to the message. The message's id, or null when the server refused it.
   */
  const sendFromConsole = async (payload: string, eventType = '') => {
    await page.getByLabel('Payload (a JSON object)').fill(payload);
    await page.getByLabel('Event type (optional)').fill(eventType);
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST' && /^\/accounts\/[^/]+\/messages$/.test(new URL(response.url()).pathname)),
      page.getByRole('button', { name: 'Send message' }).click(),
    ]);
    if (answer.status() !== 202) return null;
    const messageId = ((await answer.json()) as { message_id: string }).message_id;
    await page.getByRole('status').getByRole('link', { name: `Open message ${messageId}` }).waitFor();
    return messageId;
  };

  /** The POSTs the page made to send on an account's behalf. */
  const consoleSends = (accountId: string) =>
    requested.filter((sent) => sent.method() === 'POST' && new URL(sent.url()).pathname === `/accounts/${accountId}/messages`);

  it('signs in, creates an account, delivers to a sink, shows a failure with its error, and delivers again on retry', async () => {
    const answer = await page.goto(`${base}/console`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);

    // A wrong key says so; the right one opens the overview.
    await page.getByLabel('Admin API key').fill('not-the-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is not the admin API key of this server.').waitFor();
    // With the keyboard alone: type the key, press Enter.
    await page.getByLabel('Admin API key').fill('');
    await page.getByLabel('Admin API key').pressSequentially(t.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([t.adminKey]);
    expect(await context.cookies()).toEqual([]);

    // Create an account: the token is shown once.
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByRole('button', { name: 'New account' }).click();
    const email = uniqueEmail('console');
    await page.getByLabel('Name', { exact: true }).fill('Acme Shop');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Website (optional)').fill('https://acme.example');
    await page.getByLabel('Ingest rate limit (requests per second)').fill('250');
    await page.getByRole('button', { name: 'Create account' }).click();
    const token = (await page.getByTestId('secret-once').textContent())?.trim() ?? '';
    expect(token.length).toBeGreaterThan(20);
    await page.getByText('It will not be shown again').waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('link', { name: 'add destinations to Acme Shop' }).click();
    await page.getByRole('heading', { name: 'Acme Shop' }).waitFor();
    expect(await page.content()).not.toContain(token);
    const accountId = page.url().split('/').at(-1) ?? '';
    await page.getByText('250 requests per second').waitFor();
    expect((await request(t.server).get(`/accounts/${accountId}`).set(t.admin).expect(200)).body.ingest_rate_limit).toBe(250);

    // A destination to the sink, with a header.
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('URL', { exact: true }).fill(`${sink.url}/hook`);
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('X-Shop');
    await page.getByLabel('Header 1 value').fill('acme');
    await page.getByRole('button', { name: 'Add destination' }).last().click();
    await page.getByRole('heading', { name: `POST ${sink.url}/hook` }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-account.png'), fullPage: true });

    // A message sent from the console, with an event type, is delivered; the log shows its type and its payload
    // exactly as received.
    await page.getByRole('link', { name: 'Send test message' }).click();
    const payload = '{"order": 42, "item": "console test", "tags": ["a", "b"]}';
    const messageId = (await sendFromConsole(payload, 'order.created')) ?? 'refused';
    await page.getByText('Accepted (202) for 1 destination.').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-send.png'), fullPage: true });
    expect(JSON.parse((await page.getByLabel('The answer').textContent()) ?? '')).toEqual({
      message_id: messageId,
      status: 'accepted',
      destinations: 1,
    });
    await page.getByRole('link', { name: `Open message ${messageId}` }).click();
    await page.locator('article.delivery[data-status="succeeded"]').waitFor();
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].headers['x-shop']).toBe('acme');
    expect(sink.received[0].headers['cl-x-event-type']).toBe('order.created');
    expect(sink.received[0].body).toBe(payload);
    expect(await page.getByTestId('event-type').textContent()).toBe('order.created');
    expect(await page.locator('pre.payload').textContent()).toBe('{\n  "order": 42,\n  "item": "console test",\n  "tags": [\n    "a",\n    "b"\n  ]\n}');
    await page.getByRole('link', { name: 'Messages of the account' }).click();
    const listed = page.locator('tbody tr', { hasText: messageId });
    await listed.locator('.badge-succeeded').waitFor();
    expect(await listed.textContent()).toContain('order.created');

    // Break the sink: the next message fails, and its page says why.
    sink.behave(() => ({ status: 500, body: 'sink is down for maintenance' }));
    const failing = await send(token, '{"order": 2}', 'order.updated');
    await page.goto(`${base}/console#/messages/${failing.body.message_id}`);
    const failed = page.locator('article.delivery[data-status="failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).toContain('HTTP 500');
    expect(await failed.locator('table.attempts').textContent()).toContain('sink is down for maintenance');

    // Mend it and retry: delivered.
    sink.behave(() => ({ status: 200, body: 'ok' }));
    await page.getByRole('button', { name: 'Retry 1 failed delivery' }).click();
    await page.getByText('1 failed delivery queued again.').waitFor();
    await page.locator('article.delivery[data-status="succeeded"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-message.png'), fullPage: true });

    // An outage: a message fails while the sink is down; once it is back, recover the destination since then.
    sink.behave(() => ({ status: 503, body: 'outage' }));
    const lost = await send(token, '{"order": 3}');
    await page.goto(`${base}/console#/messages/${lost.body.message_id}`);
    await page.locator('article.delivery[data-status="failed"]').waitFor();
    sink.behave(() => ({ status: 200, body: 'ok' }));
    await page.getByRole('link', { name: 'Messages of the account' }).click();
    await page.getByRole('link', { name: 'Destinations', exact: true }).click();
    await page.getByLabel('Send failed deliveries again, of messages received since').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Recover' }).click();
    await page.getByText('1 failed delivery queued again.').waitFor();
    await page.goto(`${base}/console#/messages/${lost.body.message_id}`);
    await page.locator('article.delivery[data-status="succeeded"]').waitFor();

    // Rotate the signing secret: the new one is shown, with the end of the overlap.
    await page.goto(`${base}/console#/accounts/${accountId}`);
    await page.getByRole('button', { name: 'Show secret' }).click();
    const oldSecret = await page.locator('code.secret').textContent();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('Earlier secrets also sign until').waitFor();
    const newSecret = await page.locator('code.secret').textContent();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByTestId('failed').getByText('0', { exact: true }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-overview.png'), fullPage: true });

    // The message went through the console's send, not through ingest with the token.
    expect(consoleSends(accountId)).toHaveLength(1);

    // The admin key went in headers only, never in a URL; nothing was fetched from off this machine.
    expect(requested.filter((sent) => sent.url().includes(t.adminKey))).toEqual([]);
    expect(offMachine).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  }, 90_000);

  it('edits an account (a taken email is refused next to the form), rotates its token and deletes it with what goes with it', async () => {
    const [taken, account] = [await createAccount(t), await createAccount(t, { account_name: 'Old name' })];
    await createDestination(t, account.account_id, { url: `${sink.url}/gone` });
    await signIn();
    await page.goto(`${base}/console#/accounts/${account.account_id}`);
    await page.getByRole('heading', { name: 'Old name' }).waitFor();

    await page.getByRole('button', { name: 'Edit account' }).click();
    await page.getByLabel('Email', { exact: true }).fill(taken.email);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('form', { name: 'Edit account' }).getByText('An account with this email already exists').waitFor();
    await page.getByLabel('Email', { exact: true }).fill(account.email);
    await page.getByLabel('Name', { exact: true }).fill('New name');
    await page.getByLabel('Ingest rate limit (requests per second)').fill('75');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'New name' }).waitFor();
    await page.getByText('75 requests per second').waitFor();
    expect((await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(200)).body.ingest_rate_limit).toBe(75);

    // Emptied, the limit is the server default again.
    await page.getByRole('button', { name: 'Edit account' }).click();
    expect(await page.getByLabel('Ingest rate limit (requests per second)').inputValue()).toBe('75');
    expect(await page.getByText('Empty: the server default (INGEST_RATE_LIMIT)').count()).toBe(1);
    await page.getByLabel('Ingest rate limit (requests per second)').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('the server default', { exact: true }).waitFor();
    expect((await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(200)).body.ingest_rate_limit).toBeNull();

    // Its destination takes only some event types from now on.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Event types').fill('order.*, invoice.paid');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('order.*, invoice.paid', { exact: true }).waitFor();
    const destinations = await request(t.server).get(`/accounts/${account.account_id}/destinations`).set(t.admin).expect(200);
    expect(destinations.body.data[0].event_types).toEqual(['order.*', 'invoice.paid']);

    await page.getByRole('button', { name: 'Rotate token' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate token' }).click();
    const token = (await page.getByTestId('secret-once').textContent())?.trim() ?? '';
    await send(token, '{"after": "rotation"}');
    await request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token).send({ old: true }).expect(401);

    await page.getByRole('button', { name: 'Delete account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('1 destination,').waitFor();
    expect(await dialog.textContent()).toContain('every message it sent and every delivery of those messages');
    await dialog.getByRole('button', { name: 'Delete account and all its data' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await request(t.server).get(`/accounts/${account.account_id}`).set(t.admin).expect(404);
  }, 60_000);

  it('shows hostile payloads, headers and answers as text and runs none of them', async () => {
    const account = await createAccount(t, { account_name: '<b>bold</b> name' });
    const imgHeader = '<img src=x onerror="window.__pwned=1">';
    const scriptHeader = '</script><script>window.__pwned=2</script>';
    await createDestination(t, account.account_id, { url: `${sink.url}/evil`, headers: { 'X-Img': imgHeader, 'X-Script': scriptHeader } });
    sink.behave(() => ({ status: 500, body: '<script>window.__pwned=3</script><img src=x onerror="window.__pwned=4">' }));
    const payload = '{"html": "<img src=x onerror=\\"window.__pwned=5\\">", "script": "</script><script>window.__pwned=6</script>"}';
    const sent = await send(account.app_secret_token, payload);

    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn();
    await page.goto(`${base}/console#/accounts/${account.account_id}`);
    await page.getByRole('heading', { name: '<b>bold</b> name' }).waitFor();
    await page.getByText(imgHeader, { exact: true }).waitFor();
    await page.getByText(scriptHeader, { exact: true }).waitFor();

    await page.goto(`${base}/console#/messages/${sent.body.message_id}`);
    const failed = page.locator('article.delivery[data-status="failed"]');
    await failed.waitFor();
    expect(await page.locator('pre.payload').textContent()).toBe(
      '{\n  "html": "<img src=x onerror=\\"window.__pwned=5\\">",\n  "script": "</script><script>window.__pwned=6</script>"\n}',
    );
    expect(await failed.locator('pre.excerpt').first().textContent()).toBe('<script>window.__pwned=3</script><img src=x onerror="window.__pwned=4">');

    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);

    // Typed into the send page's editor: not JSON, its parse error quotes it as text; as JSON, it is sent and
    // shown as text.
    await page.goto(`${base}/console#/accounts/${account.account_id}/send`);
    const editor = page.getByLabel('Payload (a JSON object)');
    await editor.fill('</script><script>window.__pwned=7</script><img src=x onerror="window.__pwned=8">');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByRole('alert').getByText('"</script><', { exact: false }).waitFor();
    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
    const hostile = '{"typed": "<img src=x onerror=\\"window.__pwned=9\\">", "end": "</textarea><script>window.__pwned=10</script>"}';
    expect(await sendFromConsole(hostile, 'x:<b>')).toBeNull();
    await page.locator('.field', { has: page.getByLabel('Event type (optional)') }).getByRole('alert').getByText('CL-X-EVENT-TYPE must be').waitFor();
    const accepted = await sendFromConsole(hostile);
    await page.goto(`${base}/console#/messages/${accepted}`);
    await page.locator('article.delivery').waitFor();
    expect(await page.locator('pre.payload').textContent()).toBe(
      '{\n  "typed": "<img src=x onerror=\\"window.__pwned=9\\">",\n  "end": "</textarea><script>window.__pwned=10</script>"\n}',
    );

    expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    sink.behave(() => ({ status: 200, body: 'ok' }));
  }, 60_000);

  /**
   * The text of the element as the eye reads it, left to right: its characters ordered by where the browser drew
   * them (bidi reordering included), not as they are stored.
   */
  const drawnText = (selector: string) =>
    page.evaluate(`(() => {
      const root = document.querySelector(${JSON.stringify(selector)});
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const drawn = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          drawn.push({ char: node.data[i], x: range.getBoundingClientRect().left });
        }
      }
      return drawn.sort((a, b) => a.x - b.x).map((c) => c.char).join('');
    })()`);

  it('shows bidi controls in user text as escapes, each piece isolated: "Admin\\u202Egnp.exe" never reads "Adminexe.png"', async () => {
    const name = 'Admin\u202Egnp.exe';
    const account = await createAccount(t, { account_name: name });
    await createDestination(t, account.account_id, { url: `${sink.url}/bidi` });
    // Only this test's destination fails: another test's deliveries are not touched if this one stops early.
    sink.behave((received) =>
      received.path === '/bidi' ? { status: 500, body: 'error in file \u2067txt.exe\u2069 \u202Eflow\u0007' } : { status: 200, body: 'ok' },
    );
    const sent = await send(account.app_secret_token, '{"file": "report\u202Efdp.exe"}');
    await signIn();

    // The account list, found by its email, and the account's own page.
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Find by email').fill(account.email);
    await page.getByRole('button', { name: 'Search' }).click();
    // The list shows every account until the search's answer replaces it with the one found.
    await expectEventually(async () => expect(await page.getByTestId('account-name').count()).toBe(1), { timeoutMs: 15_000, intervalMs: 50 });
    expect(await drawnText('[data-testid="account-name"]')).toBe('Admin\\u202Egnp.exe');
    expect(await page.evaluate(`getComputedStyle(document.querySelector('[data-testid="account-name"] bdi')).unicodeBidi`)).toBe('isolate');

    await page.goto(`${base}/console#/accounts/${account.account_id}`);
    await page.locator('#account-title').waitFor();
    expect(await drawnText('#account-title')).toBe('Admin\\u202Egnp.exe');

    // The payload (the same JSON, with the character escaped) and the destination's answer.
    await page.goto(`${base}/console#/messages/${sent.body.message_id}`);
    const failed = page.locator('article.delivery[data-status="failed"]');
    await failed.waitFor();
    expect(await page.locator('pre.payload').textContent()).toBe('{\n  "file": "report\\u202Efdp.exe"\n}');
    expect(await failed.locator('pre.excerpt').first().textContent()).toBe('error in file \\u2067txt.exe\\u2069 \\u202Eflow\\u0007');

    // Nowhere in the console is a bidi control left to act.
    expect(await page.evaluate('/[\\u202A-\\u202E\\u2066-\\u2069]/.test(document.body.textContent)')).toBe(false);
    sink.behave(() => ({ status: 200, body: 'ok' }));
  }, 60_000);

  it('lists messages with their event types and filters them by exact type', async () => {
    const account = await createAccount(t);
    const token = account.app_secret_token;
    const created = (await send(token, '{"n": 1}', 'order.created')).body.message_id as string;
    const paid = (await send(token, '{"n": 2}', 'invoice.paid')).body.message_id as string;
    const untyped = (await send(token, '{"n": 3}')).body.message_id as string;
    await signIn();
    await page.goto(`${base}/console#/accounts/${account.account_id}/messages`);
    const ids = () => page.locator('tbody tr a code').allTextContents();
    await expectEventually(async () => expect(await ids()).toEqual([untyped, paid, created]));
    const typeOf = async (id: string) => (await page.locator('tbody tr', { hasText: id }).locator('td').nth(2).textContent())?.trim();
    expect([await typeOf(created), await typeOf(paid), await typeOf(untyped)]).toEqual(['order.created', 'invoice.paid', '—']);

    await page.getByLabel('Event type', { exact: true }).fill('order.created');
    await page.keyboard.press('Enter');
    await expectEventually(async () => expect(await ids()).toEqual([created]));
    // Exact: a prefix is no filter of its own.
    await page.getByLabel('Event type', { exact: true }).fill('order');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No messages match these filters.').waitFor();
    // A type the API refuses says why, by the filter.
    await page.getByLabel('Event type', { exact: true }).fill('no spaces allowed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('alert').getByText('event_type must be 1 to 128 characters').waitFor();
    await page.getByRole('button', { name: 'Any type' }).click();
    await expectEventually(async () => expect(await ids()).toEqual([untyped, paid, created]));
  }, 60_000);

  it('sends from the console only a JSON object, shows each refusal next to its cause, and shows big numbers exactly as typed', async () => {
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/exact` });
    await signIn();
    await page.goto(`${base}/console#/accounts/${account.account_id}/send`);
    const editor = page.getByLabel('Payload (a JSON object)');
    const sendButton = page.getByRole('button', { name: 'Send message' });
    const payloadField = page.locator('.field', { has: editor });

    // Not JSON, or not an object: the problem shows by the editor, which gets the focus, and nothing is sent.
    await editor.fill('{"big": 12345678901234567890, "price": 1.50,}');
    await sendButton.click();
    await payloadField.getByRole('alert').getByText(/^Not valid JSON: /).waitFor();
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('send-payload');
    await editor.fill('[12345678901234567890]');
    await sendButton.click();
    await payloadField.getByRole('alert').getByText('The payload must be a JSON object').waitFor();
    expect(consoleSends(account.account_id)).toEqual([]);

    // What only the server refuses shows next to what caused it: a payload nested too deep by the editor, a bad
    // event type by its field, a too long idempotency key by that one.
    await editor.fill(`{"deep": ${'['.repeat(1000)}${']'.repeat(1000)}}`);
    await sendButton.click();
    await payloadField.getByRole('alert').getByText('Invalid Data: The body nests arrays and objects more than 1000 levels deep').waitFor();
    await editor.fill('{"big": 12345678901234567890, "price": 1.50}');
    await page.getByLabel('Event type (optional)').fill('price changed');
    await sendButton.click();
    await page.locator('.field', { has: page.getByLabel('Event type (optional)') }).getByRole('alert').getByText('CL-X-EVENT-TYPE must be').waitFor();
    expect(await payloadField.getByRole('alert').count()).toBe(0);
    await page.getByLabel('Event type (optional)').fill('price.changed');
    await page.getByLabel('Idempotency key (optional)').fill('k'.repeat(256));
    await sendButton.click();
    await page.locator('.field', { has: page.getByLabel('Idempotency key (optional)') }).getByRole('alert').getByText('Idempotency-Key must be').waitFor();
    expect(consoleSends(account.account_id)).toHaveLength(3);

    // Sent as typed: the answer links to the message, whose page shows the big integer and 1.50 unchanged.
    await page.getByLabel('Idempotency key (optional)').fill('');
    const messageId = (await sendFromConsole('{"big": 12345678901234567890, "price": 1.50}', 'price.changed')) ?? 'refused';
    await page.getByRole('link', { name: `Open message ${messageId}` }).click();
    await page.locator('article.delivery[data-status="succeeded"]').waitFor();
    expect(await page.locator('pre.payload').textContent()).toBe('{\n  "big": 12345678901234567890,\n  "price": 1.50\n}');
    expect(await page.getByTestId('event-type').textContent()).toBe('price.changed');
    const delivered = sink.received.filter((received) => received.path === '/exact');
    expect(delivered.map((received) => received.body)).toEqual(['{"big": 12345678901234567890, "price": 1.50}']);
  }, 60_000);
  it("sets a destination's own retry schedule in the form, shows it on the card, refuses a bad one next to the field, and goes back to the server's", async () => {
    const account = await createAccount(t, { account_name: 'Retry shop' });
    const destination = await createDestination(t, account.account_id, { url: `${sink.url}/retry` });
    const saved = async () =>
      (await request(t.server).get(`/destinations/${destination.destination_id}`).set(t.admin).expect(200)).body.retry_schedule as unknown;
    const facts = page.locator('dl.facts', { hasText: 'Destination id' });
    await signIn();
    await page.goto(`${base}/console#/accounts/${account.account_id}`);
    await page.getByRole('heading', { name: 'Retry shop' }).waitFor();
    await facts.waitFor();
    expect(await facts.textContent()).toContain('Retry scheduleserver default');

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    expect(await page.getByLabel('Retry schedule', { exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Own retry schedule').check();
    await page.getByLabel('Retry schedule', { exact: true }).fill('1s,soon');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByRole('form', { name: 'Edit destination' }).getByText(/comma-separated list of durations/).waitFor();
    expect(await saved()).toBeNull();

    await page.getByLabel('Retry schedule', { exact: true }).fill('1s,10s,1m');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('1s,10s,1m', { exact: true }).waitFor();
    expect(await saved()).toBe('1s,10s,1m');

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    expect(await page.getByLabel('Retry schedule', { exact: true }).inputValue()).toBe('1s,10s,1m');
    await page.getByLabel('Retry schedule', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('no retry', { exact: true }).waitFor();
    expect(await saved()).toBe('');

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Own retry schedule').uncheck();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await expectEventually(async () => expect(await facts.textContent()).toContain('Retry scheduleserver default'));
    expect(await saved()).toBeNull();
  });
});
