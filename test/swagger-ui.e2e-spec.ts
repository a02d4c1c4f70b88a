import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectEventually } from './support/expect-eventually.js';
import { keepOnLoopback, launchChromium, requireChromium } from './support/browser.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const describeWithChromium = await requireChromium();

/** The Swagger UI at /docs, used as a newcomer would: authorize, create and list accounts, send to ingest. */
describeWithChromium('Swagger UI in a browser', () => {
  let t: TestApp;
  let sink: Sink;
  let browser: Browser;
  let page: Page;
  let refused: string[];
  let docsUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    sink = await startSink();
    browser = await launchChromium();
    page = await browser.newPage();
    // Each step waits for what it needs to see; one that never appears fails the test well within its limit.
    page.setDefaultTimeout(10_000);
    refused = await keepOnLoopback(page);
    // Every Content-Security-Policy violation of the page, for the test that Swagger UI works under its policy.
    await page.addInitScript(
      "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    docsUrl = `${await t.app.getUrl()}/docs`;
    await page.goto(docsUrl);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sink?.close();
    await t?.close();
  });

  /** Opens an operation, presses "Try it out", lets `fill` set its inputs, executes, and returns the answer. */
  async function tryItOut(operationId: string, fill: (operation: Locator) => Promise<void> = async () => {}) {
    const operation = page.locator(`[id$="-${operationId}"]`);
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await fill(operation);
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table .response').first();
    await response.waitFor();
    const status = Number(await response.locator('.response-col_status').innerText());
    const body = JSON.parse(await response.locator('.response-col_description pre').first().innerText()) as Record<string, unknown>;
    // Back to the closed operation, so the page reads as it did.
    await operation.locator('button.try-out__btn.cancel').click();
    await operation.locator('.opblock-summary').first().click();
    return { status, body };
  }

  /** The Authorize dialog: `scheme` gets `value`. */
  async function authorize(scheme: string, value: string): Promise<void> {
    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.dialog-ux');
    const container = dialog.locator('.auth-container').filter({ hasText: scheme });
    // A scheme authorized before offers "Logout" first.
    const logout = container.locator('button', { hasText: 'Logout' });
    if (await logout.count()) await logout.click();
    await container.locator('input').fill(value);
    await container.locator('button.authorize').click();
    await container.locator('button.btn-done').click();
  }

  it('authorizes with the admin key, creates and lists accounts, and sends a message to ingest', async () => {
    await authorize('admin-api-key', t.adminKey);

    const email = `swagger-ui-${Date.now()}@example.com`;
    const created = await tryItOut('AccountsController_create', async (operation) => {
      await operation.locator('textarea.body-param__text').fill(JSON.stringify({ email, account_name: 'From Swagger UI' }));
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, app_secret_token: expect.any(String) });

    // The optional filters are left empty: the list holds the new account.
    const listed = await tryItOut('AccountsController_list');
    expect(listed.status).toBe(200);
    expect((listed.body.data as Array<{ email: string }>).map((account) => account.email)).toContain(email);

    const destination = await tryItOut('DestinationsController_create', async (operation) => {
      const body = { account_id: created.body.account_id, url: `${sink.url}/swagger`, http_method: 'POST', headers: {} };
      await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));
    });
    expect(destination.status).toBe(201);

    // Ingest with the account's token and the example body, its optional headers left empty.
    await authorize('app-secret-token', String(created.body.app_secret_token));
    const sent = await tryItOut('IngestController_receive');
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ status: 'accepted', destinations: 1 });
    await expectEventually(() => {
      const arrived = sink.received.find((r) => r.headers['webhook-id'] === sent.body.message_id);
      expect(JSON.parse(arrived?.body ?? 'null')).toEqual({ event: 'order.created', id: 42, total: 9.5 });
    });

    expect(refused).toEqual([]);
  }, 60_000);

  it('keeps the admin key in the page only: nothing in localStorage or sessionStorage after Authorize', async () => {
    await authorize('admin-api-key', t.adminKey);
    expect(await page.evaluate('JSON.stringify([{ ...localStorage }, { ...sessionStorage }])')).not.toContain(t.adminKey);
    // localStorage is the origin's, shared by every page of it (the console's too): nothing is kept there at all.
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('runs under its Content-Security-Policy without breaking any of it', async () => {
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
  });

  it('cannot be framed by another site', async () => {
    // Another origin (another port) whose page frames /docs.
    const framer: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><iframe id="docs" src="${docsUrl}" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    const other = await browser.newPage();
    try {
      // "load" waits for the frame too, whether it loads or is refused.
      await other.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`, { waitUntil: 'load' });
      const frame = other.frames().find((f) => f !== other.mainFrame());
      expect(frame).toBeDefined();
      expect(frame?.url()).not.toBe(docsUrl);
      expect(await frame?.locator('#swagger-ui').count()).toBe(0);
    } finally {
      await other.close();
      await new Promise((resolve) => framer.close(resolve));
    }
  });

  it('prefills rotate-secret with an empty body, so "Try it out" never sends a secret printed in the docs', async () => {
    const operation = page.locator('[id$="-DestinationsController_rotateSecret"]');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    expect(JSON.parse(await operation.locator('textarea.body-param__text').inputValue())).toEqual({});
    await operation.locator('button.try-out__btn.cancel').click();
    await operation.locator('.opblock-summary').first().click();
  });

  it('shows each error answer with its own example body', async () => {
    const operation = page.locator('[id$="-AccountsController_update"]');
    await operation.locator('.opblock-summary').first().click();
    for (const [status, error] of [
      ['401', 'Unauthorized'],
      ['404', 'Not Found'],
      ['409', 'Conflict'],
    ]) {
      const example = JSON.parse(await operation.locator(`tr.response[data-code="${status}"] .example.microlight`).first().innerText());
      expect(example).toMatchObject({ statusCode: Number(status), error });
    }
    await operation.locator('.opblock-summary').first().click();
  });
});
