import { describe, expect, it } from 'vitest';
import { LabeledDataScanner, type ScanEvent, scanLabeledData } from './labeled-data-scanner.js';

const doc = {
  version: 0,
  tags: [{ label_id: 1, frame: 0, attributes: [{ spec_id: 2, value: 'a "quoted" ] } value' }] }],
  shapes: [
    { label_id: 1, points: [1, 2.5, -3e2, 4], elements: [{ label_id: 2, points: [] }] },
    { label_id: 3, note: 'ünïcödé ✓ \\ \u0000' },
  ],
  tracks: [],
  extra: { nested: [1, { a: null }] },
};

function scanIn(text: string, split: (i: number) => boolean): ScanEvent[] {
  const bytes = Buffer.from(text);
  const scanner = new LabeledDataScanner(1 << 20);
  const events: ScanEvent[] = [];
  let from = 0;
  for (let i = 1; i <= bytes.length; i++)
    if (i === bytes.length || split(i)) {
      events.push(...scanner.push(bytes.subarray(from, i)));
      from = i;
    }
  events.push(...scanner.end());
  return events;
}

describe('LabeledDataScanner', () => {
  const text = JSON.stringify(doc, null, 1);
  const expected: ScanEvent[] = [
    { kind: 'field', key: 'version', value: 0 },
    { kind: 'item', list: 'tags', index: 0, value: doc.tags[0] },
    { kind: 'item', list: 'shapes', index: 0, value: doc.shapes[0] },
    { kind: 'item', list: 'shapes', index: 1, value: doc.shapes[1] },
    { kind: 'field', key: 'extra', value: doc.extra },
  ];

  it('finds every item and field whatever the chunk boundaries (whole, byte by byte, random)', () => {
    expect(scanIn(text, () => false)).toEqual(expected);
    expect(scanIn(text, () => true)).toEqual(expected);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 13 === 0;
    };
    expect(scanIn(text, random)).toEqual(expected);
    expect(scanIn(JSON.stringify(doc), (i) => i % 5 === 0)).toEqual(expected);
  });

  it('numbers items of a long list in order across chunks', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const body = Buffer.from(JSON.stringify({ shapes: items }));
    const chunks = Array.from({ length: Math.ceil(body.length / 1000) }, (_, k) =>
      body.subarray(k * 1000, (k + 1) * 1000),
    );
    const seen: number[] = [];
    for await (const e of scanLabeledData(chunks, { maxBytes: 1e9, maxObjectBytes: 100 }))
      if (e.kind === 'item') {
        expect((e.value as { i: number }).i).toBe(e.index);
        seen.push(e.index);
      }
    expect(seen).toHaveLength(5000);
  });

  it.each([
    ['', 'the body is empty'],
    ['[]', 'must be a JSON object'],
    ['{"shapes":{}}', '"shapes" must be a list'],
    ['{"shapes":[{"a":1} {"b":2}]}', 'expected "," or "]"'],
    ['{"shapes":[{"a":1},]}', /not valid JSON|expected "," or "]"/],
    ['{"shapes":[{"a":]}', /not valid JSON|expected "," or "]"/],
    ['{"shapes":[', 'ended early'],
    ['{"a":1,}', 'expected a key'],
    ['{"a" 1}', 'expected ":"'],
    ['{} {}', 'unexpected data'],
  ] as Array<[string, string | RegExp]>)('refuses %j', (body, message) => {
    expect(() => scanIn(body, () => false)).toThrow(message);
    expect(() => scanIn(body, () => true)).toThrow(message);
  });

  it('refuses an object larger than the limit, whole or split', () => {
    const body = JSON.stringify({ shapes: [{ points: Array(100).fill(1) }] });
    const scanner = () => new LabeledDataScanner(50);
    expect(() => scanner().push(Buffer.from(body))).toThrow('larger than 50 bytes');
    const split = scanner();
    expect(() => {
      for (const b of Buffer.from(body)) split.push(Buffer.from([b]));
    }).toThrow('larger than 50 bytes');
  });

  it('stops at the byte limit with 413', async () => {
    const run = async () => {
      for await (const _ of scanLabeledData([Buffer.from('{"shapes":['), Buffer.alloc(100, 0x20)], {
        maxBytes: 50,
        maxObjectBytes: 10,
      }));
    };
    await expect(run()).rejects.toMatchObject({ code: 'API_ANNOTATIONS_TOO_LARGE', status: 413 });
  });
});
