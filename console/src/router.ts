import { useEffect, useState } from 'preact/hooks';

// Hash routes (#/accounts/<id>): the server serves one page, and the route holds ids only, never a secret.

export type Route =
  | { page: 'overview' }
  | { page: 'accounts' }
  | { page: 'account'; accountId: string; tab: 'destinations' | 'messages' | 'send' }
  | { page: 'message'; messageId: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'overview')) return { page: 'overview' };
  if (parts[0] === 'accounts' && parts.length === 1) return { page: 'accounts' };
  if (parts[0] === 'accounts' && parts.length <= 3) {
    const tab = parts[2] ?? 'destinations';
    if (tab === 'destinations' || tab === 'messages' || tab === 'send') return { page: 'account', accountId: parts[1], tab };
  }
  if (parts[0] === 'messages' && parts.length === 2) return { page: 'message', messageId: parts[1] };
  return { page: 'not-found', path };
}

export const href = {
  overview: () => '#/',
  accounts: () => '#/accounts',
  account: (id: string, tab: 'destinations' | 'messages' | 'send' = 'destinations') =>
    `#/accounts/${encodeURIComponent(id)}${tab === 'destinations' ? '' : `/${tab}`}`,
  message: (id: string) => `#/messages/${encodeURIComponent(id)}`,
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
