import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSkipper, JsonSyntaxError } from './json-skipper.js';

/** Whether the skipper takes `text` as one whole JSON value, fed in pieces of `size` bytes. */
function skips(text: string, size: number): boolean {
  const bytes = Buffer.from(text, 'utf8');
  const skipper = new JsonSkipper();
  try {
    for (let at = 0; at < bytes.length; at += size) {
      const piece = bytes.subarray(at, at + size);
      const end = skipper.feed(piece, 0);
      if (end < 0) continue;
      // Only whitespace may follow the value.
      const rest = Buffer.concat([piece.subarray(end), bytes.subarray(at + size)]).toString('utf8');
      return /^[ \t\n\r]*$/.test(rest);
    }
    skipper.finish();
    return true;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return false;
    throw err;
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const SAMPLES = [
  '0',
  '-0',
  '1.5e+10',
  '-12.25E-3',
  '01',
  '1.',
  '.5',
  '-',
  '1e',
  '1e+',
  '+1',
  '0x10',
  'NaN',
  'Infinity',
  'true',
  'false',
  'null',
  'tru',
  'nul',
  'truee',
  '"a"',
  '"\\u00e9\\n\\"\\/"',
  '"\\u12"',
  '"\\q"',
  '"a\u0001"',
  '"café 🚲"',
  '[]',
  '{}',
  '[1,2,[3,{"a":[]}]]',
  '[1,]',
  '[,1]',
  '{"a":1,}',
  '{"a" 1}',
  '{a:1}',
  '{"a":1 "b":2}',
  '[1 2]',
  '[1}',
  '{"a":1]',
  '[',
  ']',
  '{"a":',
  ' [ 1 , { "b" : null } ] ',
  '"unterminated',
  '',
];

describe('JsonSkipper', () => {
  it('takes exactly what JSON.parse takes, in every piece size', () => {
    for (const text of SAMPLES) {
      for (const size of [1, 2, 3, 1 << 16])
        expect(skips(text, size), `${text} / ${size}`).toBe(parses(text));
    }
  });

  it('agrees with JSON.parse on generated and mutated JSON', () => {
    const mutated = fc
      .tuple(
        fc.json({ maxDepth: 4 }),
        fc.nat(),
        fc.constantFrom('', ',', ']', '}', '"', ':', '\\', '1', 'e', '-', ' '),
      )
      .map(([json, at, insert]) => {
        const i = at % (json.length + 1);
        return json.slice(0, i) + insert + json.slice(i + (insert === '' ? 1 : 0));
      });
    fc.assert(
      fc.property(
        fc.oneof(fc.json({ maxDepth: 6 }), mutated),
        fc.integer({ min: 1, max: 9 }),
        (text, size) => {
          expect(skips(text, size)).toBe(parses(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('returns where the value ends and leaves a number’s terminator to the caller', () => {
    expect(new JsonSkipper().feed(Buffer.from('[1,2],{}'), 0)).toBe(5);
    expect(new JsonSkipper().feed(Buffer.from('  12.5,'), 0)).toBe(6);
    expect(new JsonSkipper().feed(Buffer.from('"a"]'), 0)).toBe(3);
  });

  it('refuses nesting beyond its bound, with a stack of that many bytes', () => {
    const skipper = new JsonSkipper(4);
    expect(skipper.feed(Buffer.from('[[[[]]]]'), 0)).toBe(8);
    expect(() => new JsonSkipper(4).feed(Buffer.from('[[[[['), 0)).toThrow(/nested deeper than 4/);
  });
});
