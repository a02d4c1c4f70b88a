import { access, constants } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Describe, requireService } from './require-service.js';

/**
 * Browser tests drive Debian's `chromium` package (`.ci/run` installs it) with playwright-core, which
 * downloads no browser of its own. CHROMIUM_PATH overrides where it is.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, as root in CI (no sandbox), and quiet: no update checks or other traffic off this machine. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run'];

/** `describe` for suites that need chromium: skipped with a printed reason where it is missing, failing under CI=true. */
export function requireChromium(): Promise<Describe> {
  return requireService(`chromium at ${CHROMIUM_PATH}`, () => access(CHROMIUM_PATH, constants.X_OK));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Aborts every request of the page to a host other than loopback and returns the list of those it
 * aborted, for a test to assert that a page loads nothing from the internet.
 */
export async function keepOnLoopback(page: Page): Promise<string[]> {
  const refused: string[] = [];
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || ['data:', 'blob:'].includes(url.protocol);
    if (local) return route.continue();
    refused.push(url.href);
    return route.abort('blockedbyclient');
  });
  return refused;
}
