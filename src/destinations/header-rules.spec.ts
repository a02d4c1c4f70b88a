import { headerProblems } from './header-rules.js';

describe('headerProblems', () => {
  it('accepts an empty object and many ordinary headers', () => {
    expect(headerProblems({})).toEqual([]);
    expect(headerProblems({ 'X-Api-Key': 'abc', Authorization: 'Bearer x', 'x-trace': '' })).toEqual([]);
  });

  it.each([null, [], 'x', 1])('rejects a non-object %p', (value) => {
    expect(headerProblems(value)).toEqual(['headers must be a JSON object of header name to string value']);
  });

  it.each(['Host', 'content-length', 'Expect'])('rejects the framing header %s', (name) => {
    expect(headerProblems({ [name]: 'x' })).toEqual([`headers: "${name}" is set by the HTTP client and may not be stored`]);
  });

  it.each(['TE', 'Trailer', 'Proxy-Connection', 'Transfer-Encoding', 'CONNECTION', 'upgrade', 'Keep-Alive', 'Proxy-Authorization', 'HTTP2-Settings'])(
    'rejects the hop-by-hop header %s',
    (name) => {
      expect(headerProblems({ [name]: 'x' })).toEqual([`headers: "${name}" is a hop-by-hop header (it concerns one connection) and may not be stored`]);
    },
  );

  it('takes names that objects inherit as ordinary names', () => {
    const headers = JSON.parse('{"constructor":"a","toString":"b","__proto__":"c","__defineGetter__":"d","hasOwnProperty":"e"}') as object;
    expect(headerProblems(headers)).toEqual([]);
  });

  it('limits a name to 256 characters, and quotes a long one by its start', () => {
    expect(headerProblems({ ['x'.repeat(256)]: 'v' })).toEqual([]);
    expect(headerProblems({ ['x'.repeat(500_000)]: 'v' })).toEqual([`headers: "${'x'.repeat(40)}…" is longer than 256 characters`]);
  });

  it('names each bad entry', () => {
    expect(headerProblems({ 'Bad Name': 'x', 'X-Num': 5, 'X-Split': 'a\r\nEvil: 1', 'x-dup': 'a', 'X-Dup': 'b' })).toEqual([
      'headers: "Bad Name" is not a valid HTTP header name',
      'headers: the value of "X-Num" must be a string',
      'headers: the value of "X-Split" contains a line break or control character',
      'headers: "X-Dup" is given twice (header names are case-insensitive)',
    ]);
  });

  it('tells a character beyond Latin-1 from a control character', () => {
    expect(headerProblems({ 'X-Price': '10 €', 'X-Latin': 'café', 'X-Tab': 'a\tb' })).toEqual([
      'headers: the value of "X-Price" contains a character outside Latin-1, which HTTP headers cannot carry',
    ]);
    expect(headerProblems({ 'X-Nul': 'a\u0000b', 'X-Del': 'a\u007fb' })).toEqual([
      'headers: the value of "X-Nul" contains a line break or control character',
      'headers: the value of "X-Del" contains a line break or control character',
    ]);
  });

  it('limits the number of entries', () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`x-h${i}`, 'v']));
    expect(headerProblems(many)).toContain('headers may hold at most 100 entries');
  });
});
