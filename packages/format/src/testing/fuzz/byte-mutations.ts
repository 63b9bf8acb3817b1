/**
 * Byte-level mutations of a valid archive, as fast-check arbitraries: flips aimed at one kind of
 * record, truncation, spliced bytes, and header fields set to boundary values. Positions are drawn
 * as plain numbers and resolved against the archive's layout when applied, so shrinking stays
 * simple and a counterexample reads as "field X of record N set to V".
 */
import fc from 'fast-check';
import { type Span, type ZipLayout, zipLayout } from './zip-layout.js';

type Region = 'local-header' | 'data' | 'central' | 'eocd' | 'zip64-end' | 'zip64-locator' | 'anywhere';

interface Field {
  record: 'local' | 'central' | 'eocd' | 'zip64-end' | 'zip64-locator';
  name: string;
  at: number;
  width: 2 | 4 | 8;
}

const FIELDS: Field[] = [
  ...(
    [
      ['flags', 6, 2],
      ['method', 8, 2],
      ['crc', 14, 4],
      ['compressed-size', 18, 4],
      ['size', 22, 4],
      ['name-length', 26, 2],
      ['extra-length', 28, 2],
    ] as const
  ).map(([name, at, width]) => ({ record: 'local' as const, name, at, width })),
  ...(
    [
      ['made-by', 4, 2],
      ['flags', 8, 2],
      ['method', 10, 2],
      ['crc', 16, 4],
      ['compressed-size', 20, 4],
      ['size', 24, 4],
      ['name-length', 28, 2],
      ['extra-length', 30, 2],
      ['comment-length', 32, 2],
      ['disk-start', 34, 2],
      ['external-attributes', 38, 4],
      ['offset', 42, 4],
    ] as const
  ).map(([name, at, width]) => ({ record: 'central' as const, name, at, width })),
  ...(
    [
      ['disk', 4, 2],
      ['cd-disk', 6, 2],
      ['disk-count', 8, 2],
      ['count', 10, 2],
      ['cd-size', 12, 4],
      ['cd-offset', 16, 4],
      ['comment-length', 20, 2],
    ] as const
  ).map(([name, at, width]) => ({ record: 'eocd' as const, name, at, width })),
  ...(
    [
      ['record-size', 4, 8],
      ['disk-count', 24, 8],
      ['count', 32, 8],
      ['cd-size', 40, 8],
      ['cd-offset', 48, 8],
    ] as const
  ).map(([name, at, width]) => ({ record: 'zip64-end' as const, name, at, width })),
  ...(
    [
      ['disk', 4, 4],
      ['offset', 8, 8],
      ['disks', 16, 4],
    ] as const
  ).map(([name, at, width]) => ({ record: 'zip64-locator' as const, name, at, width })),
];

/** A new value for a field: boundaries, neighbours of the old value, or anything. */
type FieldValue =
  | { kind: 'const'; value: 'zero' | 'one' | 'max' | 'max-1' | 'half' | 'safe+1' }
  | { kind: 'delta'; delta: number }
  | { kind: 'any'; value: number };

export type ByteMutation =
  | { kind: 'flip'; region: Region; pick: number; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; remove: number; insert: number[] }
  | { kind: 'field'; field: number; pick: number; value: FieldValue };

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.record({
    kind: fc.constant('const' as const),
    value: fc.constantFrom('zero', 'one', 'max', 'max-1', 'half', 'safe+1'),
  }),
  fc.record({ kind: fc.constant('delta' as const), delta: fc.integer({ min: -64, max: 64 }) }),
  fc.record({ kind: fc.constant('any' as const), value: fc.nat() }),
);

// Truncations and splices mostly stop at the end record; flips and fields reach further in.
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      region: fc.constantFrom<Region>(
        'local-header',
        'data',
        'central',
        'eocd',
        'zip64-end',
        'zip64-locator',
        'anywhere',
      ),
      pick: fc.nat(),
      at: fc.nat(),
      xor: fc.integer({ min: 1, max: 255 }),
    }),
  },
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    remove: fc.nat({ max: 64 }),
    insert: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 32 }),
  }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      field: fc.nat({ max: FIELDS.length - 1 }),
      pick: fc.nat(),
      value: fieldValue,
    }),
  },
);

function regionSpans(layout: ZipLayout, region: Region, size: number): Span[] {
  switch (region) {
    case 'local-header':
      return layout.localHeaders;
    case 'data':
      return layout.data.filter((s) => s.end > s.start);
    case 'central':
      return layout.centralRecords;
    case 'eocd':
      return [layout.eocd];
    case 'zip64-end':
      return layout.zip64End ? [layout.zip64End] : [layout.eocd];
    case 'zip64-locator':
      return layout.zip64Locator ? [layout.zip64Locator] : [layout.eocd];
    case 'anywhere':
      return [{ start: 0, end: size }];
  }
}

function recordSpans(layout: ZipLayout, record: Field['record']): Span[] {
  if (record === 'local') return layout.localHeaders;
  if (record === 'central') return layout.centralRecords;
  if (record === 'eocd') return [layout.eocd];
  const span = record === 'zip64-end' ? layout.zip64End : layout.zip64Locator;
  return span ? [span] : [];
}

function newValue(old: bigint, width: 2 | 4 | 8, value: FieldValue): bigint {
  const max = (1n << BigInt(width * 8)) - 1n;
  let v: bigint;
  if (value.kind === 'any') v = BigInt(value.value);
  else if (value.kind === 'delta') v = old + BigInt(value.delta);
  else {
    const named = {
      zero: 0n,
      one: 1n,
      max,
      'max-1': max - 1n,
      half: max >> 1n,
      'safe+1': BigInt(Number.MAX_SAFE_INTEGER) + 1n,
    };
    v = named[value.value];
  }
  return ((v % (max + 1n)) + max + 1n) % (max + 1n);
}

/**
 * Applies one mutation to a copy of `zip`. Positions come from `layout`: the layout of the valid
 * archive the mutations started from (a mutated archive's own layout cannot be trusted).
 */
export function applyByteMutation(
  zip: Buffer,
  mutation: ByteMutation,
  layout: ZipLayout = zipLayout(zip),
): Buffer {
  if (zip.length === 0) return zip;
  const out = Buffer.from(zip);
  switch (mutation.kind) {
    case 'flip': {
      const spans = regionSpans(layout, mutation.region, zip.length);
      const span = spans[mutation.pick % spans.length]!;
      const at = span.start + (mutation.at % Math.max(1, span.end - span.start));
      if (at < out.length) out[at]! ^= mutation.xor;
      return out;
    }
    case 'truncate':
      return out.subarray(0, mutation.at % zip.length);
    case 'splice': {
      const at = mutation.at % (zip.length + 1);
      return Buffer.concat([
        zip.subarray(0, at),
        Buffer.from(mutation.insert),
        zip.subarray(Math.min(zip.length, at + mutation.remove)),
      ]);
    }
    case 'field': {
      const field = FIELDS[mutation.field]!;
      const spans = recordSpans(layout, field.record);
      if (spans.length === 0) return out;
      const at = spans[mutation.pick % spans.length]!.start + field.at;
      if (at + field.width > out.length) return out;
      const old =
        field.width === 2
          ? BigInt(out.readUInt16LE(at))
          : field.width === 4
            ? BigInt(out.readUInt32LE(at))
            : out.readBigUInt64LE(at);
      const v = newValue(old, field.width, mutation.value);
      if (field.width === 2) out.writeUInt16LE(Number(v), at);
      else if (field.width === 4) out.writeUInt32LE(Number(v), at);
      else out.writeBigUInt64LE(v, at);
      return out;
    }
  }
}

/** For failure messages: which field a `field` mutation aimed at. */
export function describeByteMutation(mutation: ByteMutation): string {
  if (mutation.kind !== 'field') return JSON.stringify(mutation);
  const field = FIELDS[mutation.field]!;
  return `${field.record}.${field.name} ← ${JSON.stringify(mutation.value)} (record ${mutation.pick})`;
}

/** Applies mutations in turn, all aimed with the layout of the valid archive they start from. */
export function applyByteMutations(zip: Buffer, mutations: readonly ByteMutation[]): Buffer {
  const layout = zipLayout(zip);
  return mutations.reduce((bytes, m) => applyByteMutation(bytes, m, layout), zip);
}
