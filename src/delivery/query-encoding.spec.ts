import { appendPayloadToUrl as appendPayloadText, sentQueryString } from './query-encoding.js';

/** Most cases start from a JS value; the ones about exact numbers give the received text itself. */
function appendPayloadToUrl(url: string, payload: object): string {
  return appendPayloadText(url, JSON.stringify(payload));
}

// Decoding with URLSearchParams is what a receiver does, so most assertions check what the
// receiver would read rather than the exact bytes we produced.
function paramsOf(url: string): [string, string][] {
  return [...new URL(url).searchParams.entries()];
}

describe('appendPayloadToUrl', () => {
  it('adds strings as they are', () => {
    expect(appendPayloadToUrl('https://example.com/hook', { name: 'alice' })).toBe('https://example.com/hook?name=alice');
  });

  it('writes numbers and booleans as text', () => {
    const url = appendPayloadToUrl('https://example.com/hook', { n: 42, f: -1.5, big: 1e21, yes: true, no: false });
    expect(paramsOf(url)).toEqual([
      ['n', '42'],
      ['f', '-1.5'],
      ['big', '1e+21'],
      ['yes', 'true'],
      ['no', 'false'],
    ]);
  });

  it('writes numbers exactly as the received text has them, also inside nested values', () => {
    const text = '{"big":12345678901234567890,"inf":1e999,"exp":1E+2,"zero":-0.0,"nested":{ "n" : [ 12345678901234567890 , 1.50 ] }}';
    expect(paramsOf(appendPayloadText('https://example.com/', text))).toEqual([
      ['big', '12345678901234567890'],
      ['inf', '1e999'],
      ['exp', '1E+2'],
      ['zero', '-0.0'],
      ['nested', '{"n":[12345678901234567890,1.50]}'],
    ]);
  });

  it('decodes string escapes and keeps names that objects inherit', () => {
    const text = '{"__proto__":"p","constructor":"c","toString":{"a":1},"s":"tab\\there \\u00e9"}';
    expect(paramsOf(appendPayloadText('https://example.com/', text))).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', '{"a":1}'],
      ['s', 'tab\there é'],
    ]);
  });

  it('takes the last value of a repeated key, as JSON.parse does', () => {
    expect(paramsOf(appendPayloadText('https://example.com/', '{"a":1,"b":2,"a":3}'))).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
  });

  it('writes null as JSON null', () => {
    expect(paramsOf(appendPayloadToUrl('https://example.com/', { gone: null }))).toEqual([['gone', 'null']]);
  });

  it('writes nested objects as compact JSON', () => {
    const url = appendPayloadToUrl('https://example.com/', { user: { id: 7, tags: ['a'], meta: { ok: true } } });
    expect(paramsOf(url)).toEqual([['user', '{"id":7,"tags":["a"],"meta":{"ok":true}}']]);
    expect(JSON.parse(new URL(url).searchParams.get('user') ?? '')).toEqual({ id: 7, tags: ['a'], meta: { ok: true } });
  });

  it('writes arrays as compact JSON', () => {
    expect(paramsOf(appendPayloadToUrl('https://example.com/', { ids: [1, 'two', null, { x: 3 }] }))).toEqual([
      ['ids', '[1,"two",null,{"x":3}]'],
    ]);
  });

  it('writes an empty string as an empty parameter', () => {
    expect(appendPayloadToUrl('https://example.com/', { empty: '' })).toBe('https://example.com/?empty=');
  });

  it('skips undefined values', () => {
    expect(appendPayloadToUrl('https://example.com/', { a: undefined, b: 'kept' })).toBe('https://example.com/?b=kept');
  });

  it('keeps the existing query and adds after it', () => {
    expect(appendPayloadToUrl('https://example.com/hook?token=abc&x=1', { event: 'created' })).toBe(
      'https://example.com/hook?token=abc&x=1&event=created',
    );
  });

  it('leaves the existing query bytes untouched', () => {
    expect(appendPayloadToUrl('https://example.com/?q=a%20b&flag&plus=1+2', { k: 'v' })).toBe(
      'https://example.com/?q=a%20b&flag&plus=1+2&k=v',
    );
  });

  it('keeps a key that already exists in the URL and adds the payload one beside it', () => {
    const url = appendPayloadToUrl('https://example.com/?id=from-url', { id: 'from-payload' });
    expect(new URL(url).searchParams.getAll('id')).toEqual(['from-url', 'from-payload']);
  });

  it('handles a URL ending in ? or &', () => {
    expect(appendPayloadToUrl('https://example.com/?', { a: 1 })).toBe('https://example.com/?a=1');
    expect(appendPayloadToUrl('https://example.com/?x=1&', { a: 1 })).toBe('https://example.com/?x=1&a=1');
  });

  it('puts the parameters before the fragment and keeps the fragment', () => {
    expect(appendPayloadToUrl('https://example.com/hook?x=1#section', { a: 'b' })).toBe(
      'https://example.com/hook?x=1&a=b#section',
    );
    expect(appendPayloadToUrl('https://example.com/hook#frag', { a: 'b' })).toBe('https://example.com/hook?a=b#frag');
  });

  it('escapes &, =, space, #, + and ? in keys and values', () => {
    const payload = { 'a&b=c': 'x&y=z', 'sp ace': 'one two', hash: '#not-a-fragment', plus: '1+1', q: 'why?' };
    const url = appendPayloadToUrl('https://example.com/hook#frag', payload);
    expect(new URL(url).hash).toBe('#frag');
    expect(paramsOf(url)).toEqual(Object.entries(payload));
    expect(url).not.toContain(' ');
    expect(url.split('#')).toHaveLength(2);
  });

  it('percent-encodes unicode as UTF-8', () => {
    const url = appendPayloadToUrl('https://example.com/', { 'clé': 'Zoë 🚀 日本' });
    expect(url).toBe('https://example.com/?cl%C3%A9=Zo%C3%AB+%F0%9F%9A%80+%E6%97%A5%E6%9C%AC');
    expect(paramsOf(url)).toEqual([['clé', 'Zoë 🚀 日本']]);
  });

  it('escapes JSON so it survives the round trip', () => {
    const value = { text: 'a&b=c #d', list: ['x y'] };
    const url = appendPayloadToUrl('https://example.com/', { value });
    expect(JSON.parse(new URL(url).searchParams.get('value') ?? '')).toEqual(value);
  });

  it('keeps payload key order', () => {
    const url = appendPayloadToUrl('https://example.com/', { z: 1, a: 2, m: 3 });
    expect(paramsOf(url).map(([key]) => key)).toEqual(['z', 'a', 'm']);
  });

  it('returns the (normalised) URL unchanged for an empty payload', () => {
    expect(appendPayloadToUrl('https://example.com/hook?x=1#f', {})).toBe('https://example.com/hook?x=1#f');
    expect(appendPayloadToUrl('https://example.com/hook', { a: undefined })).toBe('https://example.com/hook');
  });

  // Matched by message: under Jest's VM modules the URL error is a TypeError from another realm.
  it('throws on an invalid URL', () => {
    expect(() => appendPayloadToUrl('not a url', { a: 1 })).toThrow('Invalid URL');
  });
});

describe('sentQueryString', () => {
  it('is everything after ?, as the URL is sent, without the fragment', () => {
    const url = appendPayloadToUrl('https://example.com/hook?x=1#frag', { a: 'b c', n: 1 });
    expect(sentQueryString(url)).toBe('x=1&a=b+c&n=1');
    expect(sentQueryString('https://example.com/hook')).toBe('');
    expect(sentQueryString('https://example.com/hook?')).toBe('');
  });
});
