/**
 * Entry-level mutations: the archive is taken apart into its entries, one entry is renamed to a
 * hostile name, removed, added, given a hostile header, or has its JSON mutated, and the entries
 * are composed into a zip again (with the permissive test composer, so any header can be written).
 */
import fc from 'fast-check';
import { BufferSource } from '../../zip/random-access-source.js';
import { ZipReader } from '../../zip/zip-reader.js';
import { composeZip, type RawEntry } from '../raw-zip.js';
import { type JsonMutation, jsonMutation, mutateJsonText } from './json-mutations.js';

const HOSTILE_NAMES = [
  'parent',
  'deep-parent',
  'absolute',
  'drive',
  'backslash',
  'nul',
  'control',
  'very-long',
  'duplicate',
  'case-clash',
  'dot-segment',
  'empty-segment',
  'directory',
  'nfd',
  'not-utf8',
  'task-dir',
] as const;
type HostileName = (typeof HOSTILE_NAMES)[number];

const HEADER_CHANGES = [
  'symlink',
  'encrypted',
  'bzip2',
  'aes',
  'overlap',
  'local-name',
  'crc',
  'size',
  'deflate',
] as const;
type HeaderChange = (typeof HEADER_CHANGES)[number];

export type EntryMutation =
  | { kind: 'rename'; pick: number; other: number; name: HostileName; n: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'insert'; at: number; other: number; name: HostileName; n: number; size: number }
  | { kind: 'header'; pick: number; other: number; change: HeaderChange; value: number }
  | { kind: 'json'; pick: number; mutation: JsonMutation };

const hostile = { name: fc.constantFrom(...HOSTILE_NAMES), n: fc.nat({ max: 30_000 }), other: fc.nat() };

export const entryMutation: fc.Arbitrary<EntryMutation> = fc.oneof(
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), ...hostile }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), size: fc.nat({ max: 4096 }), ...hostile }),
  fc.record({
    kind: fc.constant('header' as const),
    pick: fc.nat(),
    other: fc.nat(),
    change: fc.constantFrom(...HEADER_CHANGES),
    value: fc.nat(),
  }),
  // JSON bodies are where most restore checks live: weight them up.
  {
    arbitrary: fc.record({ kind: fc.constant('json' as const), pick: fc.nat(), mutation: jsonMutation }),
    weight: 3,
  },
);

export interface SeedEntry {
  name: string;
  data: Buffer;
  deflate: boolean;
}

/** The entries of a valid archive, uncompressed, in order. */
export async function entriesOf(zip: Buffer): Promise<SeedEntry[]> {
  const reader = await ZipReader.open(new BufferSource(zip));
  const out: SeedEntry[] = [];
  for (const e of reader.entries) {
    out.push({ name: e.name, data: await reader.readEntry(e, 1 << 30), deflate: e.method === 8 });
  }
  return out;
}

function hostileName(kind: HostileName, base: string, other: string, n: number): string | Buffer {
  switch (kind) {
    case 'parent':
      return `../${base}`;
    case 'deep-parent':
      return `data/../../${base}`;
    case 'absolute':
      return `/${base}`;
    case 'drive':
      return `C:/${base}`;
    case 'backslash':
      return `data\\..\\${base}`;
    case 'nul':
      return `${base}\u0000.jpg`;
    case 'control':
      return `data/\n${base}`;
    case 'very-long':
      return `data/${'a/'.repeat(n)}${base}`.slice(0, 65_000);
    case 'duplicate':
      return other;
    case 'case-clash':
      return other.toUpperCase();
    case 'dot-segment':
      return `data/./${base}`;
    case 'empty-segment':
      return `data//${base}`;
    case 'directory':
      return `${other}/`;
    case 'nfd':
      return `data/é${base}`.normalize('NFD');
    case 'not-utf8':
      return Buffer.concat([Buffer.from('data/'), Buffer.from([0xff, 0xfe, n & 0xff]), Buffer.from(base)]);
    case 'task-dir':
      return `task_${n % 7 === 0 ? '99999999999999999999' : n % 4}/${base}`;
  }
}

const JSON_ENTRY = /(^|\/)(task\.json|project\.json|annotations\.json|manifest\.jsonl|index\.json)$/;

export function applyEntryMutation(seed: readonly SeedEntry[], mutation: EntryMutation): Buffer {
  const entries: RawEntry[] = seed.map((e) => ({ name: e.name, data: e.data, deflate: e.deflate }));
  const names = seed.map((e) => e.name);
  const baseOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  switch (mutation.kind) {
    case 'rename': {
      const i = mutation.pick % entries.length;
      const other = names[mutation.other % names.length]!;
      entries[i]!.name = hostileName(mutation.name, baseOf(names[i]!), other, mutation.n);
      break;
    }
    case 'remove':
      entries.splice(mutation.pick % entries.length, 1);
      break;
    case 'insert': {
      const other = names[mutation.other % names.length]!;
      const name = hostileName(mutation.name, baseOf(other), other, mutation.n);
      const data = Buffer.alloc(mutation.size, mutation.n & 0xff);
      entries.splice(mutation.at % (entries.length + 1), 0, { name, data });
      break;
    }
    case 'header':
      applyHeaderChange(entries, mutation);
      break;
    case 'json': {
      const targets = entries.filter((e) => typeof e.name === 'string' && JSON_ENTRY.test(e.name));
      const target = targets[mutation.pick % targets.length]!;
      const text = (target.data as Buffer).toString('utf8');
      const lines = (target.name as string).endsWith('.jsonl');
      target.data = Buffer.from(mutateJsonText(text, mutation.mutation, lines));
      break;
    }
  }
  return composeZip(entries);
}

function applyHeaderChange(entries: RawEntry[], m: Extract<EntryMutation, { kind: 'header' }>): void {
  const i = m.pick % entries.length;
  const e = entries[i]!;
  switch (m.change) {
    case 'symlink':
      e.externalAttributes = (0o120777 << 16) >>> 0;
      break;
    case 'encrypted':
      e.flags = 0x0801;
      break;
    case 'bzip2':
      e.method = 12;
      break;
    case 'aes':
      e.method = 99;
      break;
    case 'overlap':
      // Points at an earlier entry's local header (the composer only refers backwards).
      if (i > 0) e.sameOffsetAs = m.other % i;
      break;
    case 'local-name':
      e.localName = String(entries[m.other % entries.length]!.name);
      break;
    case 'crc':
      e.crc = m.value;
      break;
    case 'size':
      e.size = m.value;
      break;
    case 'deflate':
      e.deflate = !e.deflate;
      break;
  }
}
