/**
 * Structural mutations of a JSON document (or of a JSON-lines file, seen as an array of lines):
 * a node chosen by a path of numbers is replaced by a value of the wrong type, a huge number,
 * deep nesting or a long string, deleted, duplicated, given an extra key, or the text is cut short.
 */
import fc from 'fast-check';

/** Values JSON.stringify cannot express are spliced in as raw text. */
const RAW = {
  'overflowing-number': '1e400',
  'long-integer': '123456789012345678901234567890',
  'negative-zero': '-0',
  'deep-arrays': `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  'deep-objects': `${'{"a":'.repeat(20_000)}0${'}'.repeat(20_000)}`,
} as const;

const VALUES = {
  null: null,
  true: true,
  zero: 0,
  'minus-one': -1,
  fraction: 1.5,
  huge: 1e308,
  'minus-huge': -1e308,
  'unsafe-integer': 2 ** 53 + 1,
  'max-u32': 4294967295,
  empty: '',
  text: 'x',
  'long-text': 'é'.repeat(100_000),
  'path-text': '../../etc/passwd',
  array: [],
  object: {},
} as const;

export type JsonOp =
  | { kind: 'value'; value: keyof typeof VALUES }
  | { kind: 'raw'; raw: keyof typeof RAW }
  | { kind: 'delete' }
  | { kind: 'duplicate' }
  | { kind: 'add-key'; key: string }
  | { kind: 'cut-text'; at: number }
  /** A number moved but kept a number: passes the schema, so it reaches the checks behind it. */
  | { kind: 'nudge'; delta: number };

export interface JsonMutation {
  path: number[];
  op: JsonOp;
}

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 8 }),
  op: fc.oneof(
    fc.record({
      kind: fc.constant('value' as const),
      value: fc.constantFrom(...(Object.keys(VALUES) as Array<keyof typeof VALUES>)),
    }),
    fc.record({
      kind: fc.constant('raw' as const),
      raw: fc.constantFrom(...(Object.keys(RAW) as Array<keyof typeof RAW>)),
    }),
    fc.record({ kind: fc.constant('delete' as const) }),
    fc.record({ kind: fc.constant('duplicate' as const) }),
    fc.record({
      kind: fc.constant('add-key' as const),
      key: fc.constantFrom('__proto__', 'constructor', 'version', 'extra', ''),
    }),
    fc.record({ kind: fc.constant('cut-text' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('nudge' as const),
      delta: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(1_000_000, -1_000_000, 2 ** 31)),
    }),
  ),
});

const SENTINEL = '__FUZZ_RAW_TEXT__';

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Applies a mutation to JSON text; `lines` treats the text as JSON lines (one value a line). */
export function mutateJsonText(text: string, mutation: JsonMutation, lines = false): string {
  let root: unknown;
  try {
    root = lines
      ? text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l))
      : JSON.parse(text);
  } catch {
    return text;
  }
  const { op } = mutation;
  let raw: string | undefined;
  // Walk down: the parent and key of the chosen node.
  const holder: Container = [root];
  let parent: Container = holder;
  let key: string | number = 0;
  for (const step of mutation.path) {
    const node: unknown = (parent as Record<string, unknown>)[key];
    if (!isContainer(node)) break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node;
    key = keys[step % keys.length]!;
  }
  const target = parent as Record<string | number, unknown>;
  if (op.kind === 'value') target[key] = structuredClone(VALUES[op.value]);
  else if (op.kind === 'raw') {
    target[key] = SENTINEL;
    raw = RAW[op.raw];
  } else if (op.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete target[key];
  } else if (op.kind === 'duplicate') {
    if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
    else target[`${key}`] = [target[key], target[key]];
  } else if (op.kind === 'nudge') {
    if (typeof target[key] === 'number') target[key] = (target[key] as number) + op.delta;
  } else if (op.kind === 'add-key') {
    const node = target[key];
    if (isContainer(node) && !Array.isArray(node)) {
      Object.defineProperty(node, op.key, { value: 1, enumerable: true, configurable: true, writable: true });
    } else target[key] = { [op.key]: node };
  }
  const newRoot = holder[0];
  let out =
    lines && Array.isArray(newRoot)
      ? `${newRoot.map((v) => JSON.stringify(v)).join('\n')}\n`
      : (JSON.stringify(newRoot) ?? '');
  if (raw !== undefined) out = out.replace(`"${SENTINEL}"`, raw);
  if (op.kind === 'cut-text') out = out.slice(0, op.at % Math.max(1, out.length));
  return out;
}
