/**
 * The policy of the pages this service serves (the console, the API docs): they show data written by strangers
 * and hold the admin key, so no script runs but their own files, they talk to no other origin, and no other
 * site may frame them. `styleSources` is what a page adds to `style-src 'self'` (hashes of its inline styles).
 */
export function pageContentSecurityPolicy(styleSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styleSources].join(' '),
    // Stylesheets draw icons from data: URLs.
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
