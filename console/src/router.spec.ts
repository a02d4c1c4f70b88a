import { href, parseRoute } from './router';

describe('parseRoute', () => {
  it('reads every page of the console from the hash, and back', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/')).toEqual({ page: 'overview' });
    expect(parseRoute(href.accounts())).toEqual({ page: 'accounts' });
    expect(parseRoute(href.account('a1'))).toEqual({ page: 'account', accountId: 'a1', tab: 'destinations' });
    expect(parseRoute(href.account('a1', 'messages'))).toEqual({ page: 'account', accountId: 'a1', tab: 'messages' });
    expect(parseRoute(href.account('a1', 'send'))).toEqual({ page: 'account', accountId: 'a1', tab: 'send' });
    expect(parseRoute(href.message('m1'))).toEqual({ page: 'message', messageId: 'm1' });
  });

  it('says not found for anything else', () => {
    expect(parseRoute('#/accounts/a1/nope')).toEqual({ page: 'not-found', path: '/accounts/a1/nope' });
    expect(parseRoute('#/messages')).toEqual({ page: 'not-found', path: '/messages' });
  });
});
