import { createHash } from 'node:crypto';
import { docsContentSecurityPolicy, inlineStyles } from './content-security-policy.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('docsContentSecurityPolicy', () => {
  const page = `<html><head><style>
  body { margin: 0 }
</style></head><body><svg style="position:absolute;width:0;height:0"></svg><style></style><script src="./a.js"></script></body></html>`;

  it('finds every inline style block and attribute, each once', () => {
    expect(inlineStyles(page)).toEqual(['\n  body { margin: 0 }\n', '', 'position:absolute;width:0;height:0']);
    expect(inlineStyles(`${page}<p style='position:absolute;width:0;height:0'>`)).toHaveLength(3);
  });

  it('allows the page its own inline styles by hash, and no inline script at all', () => {
    const policy = docsContentSecurityPolicy(page);
    const directives = Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src'].slice(0, 5)).toEqual(["'self'", "'unsafe-hashes'", sha256('\n  body { margin: 0 }\n'), sha256(''), sha256('position:absolute;width:0;height:0')]);
    // And the logo colours Swagger UI adds at run time.
    expect(directives['style-src']).toHaveLength(6);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('allows no inline style for what is not a page', () => {
    expect(docsContentSecurityPolicy('')).toMatch(/style-src 'self';/);
  });
});
