import { AppError } from '@cvat-backup/common';

export type ListName = 'tags' | 'shapes' | 'tracks' | 'intervals';

/** What the scanner finds, in document order: one list item, or a top-level field that is no list. */
export type ScanEvent =
  | { kind: 'item'; list: ListName; index: number; value: unknown }
  | { kind: 'field'; key: string; value: unknown };

const LISTS: ReadonlySet<string> = new Set(['tags', 'shapes', 'tracks', 'intervals']);

// Outer states.
const ROOT = 0;
const KEY_FIRST = 1;
const KEY_NEXT = 2;
const KEY_EXPECT = 3;
const COLON = 4;
const VALUE = 5;
const ITEM_FIRST = 6;
const ITEM_NEXT = 7;
const ITEM_EXPECT = 8;
const CAPTURE = 9;
const END = 10;
// What a capture is.
const AS_KEY = 0;
const AS_FIELD = 1;
const AS_ITEM = 2;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isScalarEnd = (c: number) => c === 0x2c || c === 0x5d || c === 0x7d || isSpace(c);

const malformed = (problem: string) => new AppError('API_ANNOTATIONS_MALFORMED', { problem });

/**
 * Push parser for CVAT's `LabeledData` (`{"version":0,"tags":[…],"shapes":[…],"tracks":[…]}`): walks the
 * outer object byte by byte and cuts out each list item to `JSON.parse` it alone, so memory holds one
 * object at a time however long the lists are.
 */
export class LabeledDataScanner {
  #state = ROOT;
  #as = AS_ITEM;
  #key = '';
  #list: ListName = 'tags';
  #index = 0;
  // Capture of one value: its bytes so far, nesting, string state, and how it ends.
  #parts: Buffer[] = [];
  #size = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #scalar = false;
  // Items that began and ended inside the current chunk, back to back in one list: parsed with one
  // JSON.parse of the byte range (commas and spaces between them are valid array syntax).
  #runStart = -1;
  #runEnd = -1;
  #runFirst = 0;
  #runCount = 0;
  #capturedHere = false;

  constructor(private readonly maxObjectBytes: number) {}

  /** Feeds the next bytes; returns what they completed. */
  push(chunk: Buffer): ScanEvent[] {
    const out: ScanEvent[] = [];
    this.#capturedHere = false;
    let start = this.#state === CAPTURE ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (this.#state) {
        case CAPTURE: {
          if (this.#scalar) {
            if (isScalarEnd(c)) {
              this.#finish(chunk, start, i, out);
              start = -1;
              i--; // the delimiter belongs to the outer structure
            }
            continue;
          }
          if (this.#inString) {
            if (this.#escaped) this.#escaped = false;
            else if (c === 0x5c) this.#escaped = true;
            else if (c === 0x22) {
              this.#inString = false;
              if (this.#depth === 0) {
                this.#finish(chunk, start, i + 1, out);
                start = -1;
              }
            }
            continue;
          }
          if (c === 0x22) this.#inString = true;
          else if (c === 0x7b || c === 0x5b) this.#depth++;
          else if (c === 0x7d || c === 0x5d) {
            this.#depth--;
            if (this.#depth === 0) {
              this.#finish(chunk, start, i + 1, out);
              start = -1;
            }
          }
          continue;
        }
        case ROOT:
          if (isSpace(c)) continue;
          if (c !== 0x7b) throw malformed('the body must be a JSON object');
          this.#state = KEY_FIRST;
          continue;
        case KEY_FIRST:
        case KEY_NEXT:
        case KEY_EXPECT:
          if (isSpace(c)) continue;
          if (c === 0x7d && this.#state !== KEY_EXPECT) {
            this.#state = END;
            continue;
          }
          if (c === 0x2c && this.#state === KEY_NEXT) {
            this.#state = KEY_EXPECT;
            continue;
          }
          if (c !== 0x22 || this.#state === KEY_NEXT) throw malformed('expected a key');
          this.#begin(AS_KEY, false, true);
          start = i;
          continue;
        case COLON:
          if (isSpace(c)) continue;
          if (c !== 0x3a) throw malformed('expected ":" after a key');
          this.#state = VALUE;
          continue;
        case VALUE:
          if (isSpace(c)) continue;
          if (LISTS.has(this.#key)) {
            if (c !== 0x5b) throw malformed(`"${this.#key}" must be a list`);
            this.#list = this.#key as ListName;
            this.#index = 0;
            this.#state = ITEM_FIRST;
            continue;
          }
          this.#beginValue(AS_FIELD, c);
          start = i;
          continue;
        case ITEM_FIRST:
        case ITEM_NEXT:
        case ITEM_EXPECT:
          if (isSpace(c)) continue;
          if (c === 0x5d && this.#state !== ITEM_EXPECT) {
            this.#flushRun(chunk, out);
            this.#state = KEY_NEXT;
            continue;
          }
          if (c === 0x2c && this.#state === ITEM_NEXT) {
            this.#state = ITEM_EXPECT;
            continue;
          }
          if (this.#state === ITEM_NEXT) throw malformed(`expected "," or "]" in "${this.#list}"`);
          this.#beginValue(AS_ITEM, c);
          this.#capturedHere = true;
          start = i;
          continue;
        case END:
          if (!isSpace(c)) throw malformed('unexpected data after the object');
      }
    }
    this.#flushRun(chunk, out);
    if (this.#state === CAPTURE && start >= 0) this.#keep(chunk.subarray(start));
    return out;
  }

  /** Checks the body ended where the object ends. */
  end(): ScanEvent[] {
    if (this.#state !== END)
      throw malformed(this.#state === ROOT ? 'the body is empty' : 'the body ended early');
    return [];
  }

  #flushRun(chunk: Buffer, out: ScanEvent[]) {
    if (this.#runStart < 0) return;
    const { list } = { list: this.#list };
    const first = this.#runFirst;
    let values: unknown[];
    try {
      values = JSON.parse(`[${chunk.toString('utf8', this.#runStart, this.#runEnd)}]`) as unknown[];
    } catch {
      values = [];
    }
    if (values.length !== this.#runCount)
      throw malformed(`an item of "${list}" from item ${first} on is not valid JSON`);
    for (let k = 0; k < values.length; k++)
      out.push({ kind: 'item', list, index: first + k, value: values[k] });
    this.#runStart = -1;
    this.#runCount = 0;
  }

  #beginValue(as: number, c: number) {
    const container = c === 0x7b || c === 0x5b;
    this.#begin(as, !container && c !== 0x22, c === 0x22);
    if (container) this.#depth = 1;
  }

  #begin(as: number, scalar: boolean, inString: boolean) {
    this.#state = CAPTURE;
    this.#as = as;
    this.#scalar = scalar;
    this.#inString = inString;
    this.#escaped = false;
    this.#depth = 0;
    this.#parts = [];
    this.#size = 0;
  }

  #keep(bytes: Buffer) {
    this.#size += bytes.length;
    if (this.#size > this.maxObjectBytes)
      throw malformed(`an object in "${this.#list}" is larger than ${this.maxObjectBytes} bytes`);
    this.#parts.push(bytes);
  }

  #finish(chunk: Buffer, start: number, end: number, out: ScanEvent[]) {
    if (this.#as === AS_ITEM && this.#capturedHere && this.#parts.length === 0) {
      if (end - start > this.maxObjectBytes)
        throw malformed(`an object in "${this.#list}" is larger than ${this.maxObjectBytes} bytes`);
      if (this.#runStart < 0) {
        this.#runStart = start;
        this.#runFirst = this.#index;
      }
      this.#runEnd = end;
      this.#runCount++;
      this.#index++;
      this.#state = ITEM_NEXT;
      return;
    }
    this.#flushRun(chunk, out);
    this.#keep(chunk.subarray(start, end));
    const text = (this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts)).toString('utf8');
    this.#parts = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw malformed(
        this.#as === AS_ITEM ? `item ${this.#index} of "${this.#list}" is not valid JSON` : 'invalid JSON',
      );
    }
    if (this.#as === AS_KEY) {
      this.#key = value as string;
      this.#state = COLON;
    } else if (this.#as === AS_FIELD) {
      out.push({ kind: 'field', key: this.#key, value });
      this.#state = KEY_NEXT;
    } else {
      out.push({ kind: 'item', list: this.#list, index: this.#index++, value });
      this.#state = ITEM_NEXT;
    }
  }
}

/** Scans a byte stream, failing with API_ANNOTATIONS_TOO_LARGE past `maxBytes`. */
export async function* scanLabeledData(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  limits: { maxBytes: number; maxObjectBytes: number },
): AsyncIterable<ScanEvent> {
  const scanner = new LabeledDataScanner(limits.maxObjectBytes);
  let total = 0;
  for await (const raw of body) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    total += chunk.length;
    if (total > limits.maxBytes) throw new AppError('API_ANNOTATIONS_TOO_LARGE', { limit: limits.maxBytes });
    yield* scanner.push(chunk);
  }
  yield* scanner.end();
}
