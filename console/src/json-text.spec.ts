import { jsonObjectProblem, memberText, prettyJson } from './json-text';

describe('memberText', () => {
  it('returns the raw text of a member, big numbers and all', () => {
    const text = '{"message_id":"m1","payload":{"n":12345678901234567890,"x":1e999,"s":"a\\"}b"},"deliveries":[]}';
    expect(memberText(text, 'payload')).toBe('{"n":12345678901234567890,"x":1e999,"s":"a\\"}b"}');
    expect(memberText(text, 'deliveries')).toBe('[]');
    expect(memberText(text, 'missing')).toBeNull();
  });

  it('skips members whose values hold brackets inside strings', () => {
    expect(memberText('{ "a" : "]}[{" , "b" : [1, {"c": "}"}] }', 'b')).toBe('[1, {"c": "}"}]');
  });
});

describe('prettyJson', () => {
  it('indents without touching strings or numbers', () => {
    expect(prettyJson('{"b":12345678901234567890,"a":[1,{"x":"a, b: {c}"}],"e":{},"f":[]}')).toBe(
      ['{', '  "b": 12345678901234567890,', '  "a": [', '    1,', '    {', '      "x": "a, b: {c}"', '    }', '  ],', '  "e": {},', '  "f": []', '}'].join('\n'),
    );
  });

  it('keeps duplicate keys and key order', () => {
    expect(prettyJson('{"z":1,"a":2,"z":3}')).toBe('{\n  "z": 1,\n  "a": 2,\n  "z": 3\n}');
  });
});

describe('jsonObjectProblem', () => {
  it('accepts an object and explains everything else', () => {
    expect(jsonObjectProblem('{"a": 1}')).toBeNull();
    expect(jsonObjectProblem('[1]')).toMatch(/must be a JSON object/);
    expect(jsonObjectProblem('{"a": }')).toMatch(/^Not valid JSON/);
    expect(jsonObjectProblem('  ')).toMatch(/Write a JSON object/);
  });
});
