import { createHash } from 'node:crypto';
import { pageContentSecurityPolicy } from '../common/content-security-policy.js';

/**
 * The one `<style>` Swagger UI adds to the page itself: the colours of its top bar's logo (swagger-ui-dist's
 * standalone preset). A newer Swagger UI with other styles shows up as a violation in test/swagger-ui.e2e-spec.ts.
 */
const SWAGGER_UI_RUNTIME_STYLES = ['.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}'];

/**
 * The Content-Security-Policy of the API docs. Swagger UI's page (from @nestjs/swagger) loads all its scripts
 * from files, so scripts need no exception: an injected `<script>` or `onclick=` never runs. Its inline styles
 * (two `<style>` blocks and one `style=""` on the SVG sprite, taken from the page as served, and the one Swagger
 * UI adds) are allowed by their hashes alone, without opening `'unsafe-inline'`.
 */
export function docsContentSecurityPolicy(html: string): string {
  const styles = html ? [...inlineStyles(html), ...SWAGGER_UI_RUNTIME_STYLES] : [];
  const styleHashes = styles.map((style) => `'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`);
  // 'unsafe-hashes' lets the hashes cover style attributes too (CSP 3); it allows no style that is not listed.
  return pageContentSecurityPolicy(styleHashes.length ? ["'unsafe-hashes'", ...styleHashes] : []);
}

/** The text of every `<style>` element and `style` attribute of the page, each once. */
export function inlineStyles(html: string): string[] {
  const elements = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map((match) => match[1]);
  const attributes = [...html.matchAll(/\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((match) => match[1] ?? match[2]);
  return [...new Set([...elements, ...attributes])];
}
