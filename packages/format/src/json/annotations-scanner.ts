import { AppError } from '@cvat-backup/common';
import { JsonSkipper, JsonSyntaxError } from './json-skipper.js';

export type ItemList = 'tags' | 'shapes' | 'tracks';

/** What the scanner reports, in document order; `value`s are parsed JSON, not yet validated. */
export type RawAnnotationEvent =
  | { kind: 'job-start'; job: number }
  | { kind: 'item'; job: number; list: ItemList; index: number; value: unknown }
  | { kind: 'field'; job: number; key: string; value: unknown }
  | { kind: 'job-end'; job: number };

// Parser states (outer structure) ...
const ROOT = 0;
const JOBS_FIRST = 1;
const JOBS_NEXT = 2;
const JOB_EXPECT = 3;
const KEY_FIRST = 4;
const KEY_NEXT = 5;
const KEY_EXPECT = 6;
const COLON = 7;
const FIELD_VALUE = 8;
const ITEMS_START = 9;
const ITEM_FIRST = 10;
const ITEM_NEXT = 11;
const ITEM_EXPECT = 12;
const CAPTURE = 13;
const END = 14;
const SKIP = 15;
// ... what a captured value is ...
const AS_KEY = 0;
const AS_FIELD = 1;
const AS_ITEM = 2;
// ... and how its end is found.
const CONTAINER = 0;
const STRING = 1;
const SCALAR = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isScalarEnd = (c: number) => c === 0x2c || c === 0x5d || c === 0x7d || isSpace(c);
const LISTS: ReadonlySet<string> = new Set(['tags', 'shapes', 'tracks']);
/**
 * Nesting allowed inside a skipped job. CVAT's parser (Python's json) fails near 1000 levels, its
 * own archives nest fewer than 10; the bound keeps the skipper's stack small.
 */
const SKIPPED_MAX_DEPTH = 512;

export interface ScanOptions {
  entry?: string;
  maxItemBytes?: number;
  /**
   * Jobs from this index on are skipped: checked to be JSON, reported by no event, never held in
   * memory. CVAT pairs the arrays with the jobs of `task.json` by `zip()`, so it never reads them.
   */
  jobLimit?: number;
}

/**
 * Push parser for `annotations.json`: walks the outer array and the job objects byte by byte and
 * cuts out each tag/shape/track (and each other job field) to parse it on its own, so memory
 * holds one item at a time. Structural errors are `ARCHIVE_JSON_MALFORMED`.
 */
export class AnnotationScanner {
  readonly #entry: string;
  readonly #maxItemBytes: number;
  readonly #jobLimit: number;
  #skipper: JsonSkipper | null = null;
  #state = ROOT;
  #job = -1;
  #key = '';
  #list: ItemList = 'tags';
  #index = 0;
  #as = AS_ITEM;
  #mode = CONTAINER;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #parts: Buffer[] = [];
  #captured = 0;
  #offset = 0;

  constructor(entry = 'annotations.json', maxItemBytes = 64 << 20, jobLimit = Number.POSITIVE_INFINITY) {
    this.#entry = entry;
    this.#maxItemBytes = maxItemBytes;
    this.#jobLimit = jobLimit;
  }

  /** Consumes one chunk; returns the events it completed. */
  push(buf: Buffer): RawAnnotationEvent[] {
    const events: RawAnnotationEvent[] = [];
    const n = buf.length;
    let i = 0;
    let start = 0;
    // A value opened on the last byte of the chunk must still keep that byte.
    let opened = -1;
    while (i < n) {
      if (this.#state === CAPTURE) {
        const at = this.#scanValue(buf, i);
        const done = at >= 0;
        const stop = done ? at : n;
        this.#captured += stop - start;
        if (this.#captured > this.#maxItemBytes) {
          throw this.#malformed(`a single value is larger than ${this.#maxItemBytes} bytes`);
        }
        this.#parts.push(buf.subarray(start, stop));
        opened = -1;
        i = stop;
        if (done) this.#completeValue(events, this.#offset + i);
        continue;
      }
      if (this.#state === SKIP) {
        i = this.#skip(buf, i);
        continue;
      }
      const c = buf[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      const state = this.#state;
      if (state === ROOT) {
        if (c !== 0x5b) throw this.#malformed('the document is not a JSON array');
        this.#state = JOBS_FIRST;
      } else if (state === JOBS_NEXT && c === 0x2c) {
        this.#state = JOB_EXPECT;
      } else if ((state === JOBS_FIRST || state === JOBS_NEXT) && c === 0x5d) {
        this.#state = END;
      } else if ((state === JOBS_FIRST || state === JOB_EXPECT) && this.#job + 1 >= this.#jobLimit) {
        this.#job++;
        this.#skipper = new JsonSkipper(SKIPPED_MAX_DEPTH);
        this.#state = SKIP;
        continue;
      } else if ((state === JOBS_FIRST || state === JOB_EXPECT) && c === 0x7b) {
        events.push({ kind: 'job-start', job: ++this.#job });
        this.#state = KEY_FIRST;
      } else if (state === KEY_NEXT && c === 0x2c) {
        this.#state = KEY_EXPECT;
      } else if ((state === KEY_FIRST || state === KEY_NEXT) && c === 0x7d) {
        events.push({ kind: 'job-end', job: this.#job });
        this.#state = JOBS_NEXT;
      } else if ((state === KEY_FIRST || state === KEY_EXPECT) && c === QUOTE) {
        start = opened = i;
        i = this.#begin(buf, i, AS_KEY);
        continue;
      } else if (state === COLON && c === 0x3a) {
        this.#state = LISTS.has(this.#key) ? ITEMS_START : FIELD_VALUE;
      } else if (state === FIELD_VALUE && c !== 0x2c && c !== 0x5d && c !== 0x7d && c !== 0x3a) {
        start = opened = i;
        i = this.#begin(buf, i, AS_FIELD);
        continue;
      } else if (state === ITEMS_START && c === 0x5b) {
        this.#list = this.#key as ItemList;
        this.#index = 0;
        this.#state = ITEM_FIRST;
      } else if (state === ITEM_NEXT && c === 0x2c) {
        this.#state = ITEM_EXPECT;
      } else if ((state === ITEM_FIRST || state === ITEM_NEXT) && c === 0x5d) {
        this.#state = KEY_NEXT;
      } else if ((state === ITEM_FIRST || state === ITEM_EXPECT) && c !== 0x2c && c !== 0x5d && c !== 0x7d) {
        start = opened = i;
        i = this.#begin(buf, i, AS_ITEM);
        continue;
      } else {
        throw this.#malformed(`unexpected "${String.fromCharCode(c)}" at byte ${this.#offset + i}`);
      }
      i++;
    }
    if (opened >= 0) {
      this.#parts.push(buf.subarray(opened, n));
      this.#captured += n - opened;
    }
    this.#offset += n;
    return events;
  }

  /** Checks that the document ended where a document may end. */
  end(): void {
    if (this.#state !== END) throw this.#malformed('the document ends before its list of jobs is closed');
  }

  /** Feeds a skipped job to the skipper; returns where scanning goes on. */
  #skip(buf: Buffer, i: number): number {
    let at: number;
    try {
      at = this.#skipper!.feed(buf, i);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      throw this.#malformed(`job ${this.#job} (beyond the jobs of task.json, skipped): ${err.message}`);
    }
    if (at < 0) return buf.length;
    this.#skipper = null;
    this.#state = JOBS_NEXT;
    return at;
  }

  #begin(buf: Buffer, i: number, as: number): number {
    const c = buf[i]!;
    this.#as = as;
    this.#state = CAPTURE;
    this.#inString = false;
    this.#escaped = false;
    if (c === 0x7b || c === 0x5b) {
      this.#mode = CONTAINER;
      this.#depth = 1;
      return i + 1;
    }
    if (c === QUOTE) {
      this.#mode = STRING;
      return i + 1;
    }
    this.#mode = SCALAR;
    return i;
  }

  /** Index just past the value's end, or -1 when it continues in the next chunk. */
  #scanValue(buf: Buffer, from: number): number {
    const n = buf.length;
    let i = from;
    if (this.#mode === SCALAR) {
      while (i < n && !isScalarEnd(buf[i]!)) i++;
      return i < n ? i : -1;
    }
    let escaped = this.#escaped;
    let inString = this.#mode === STRING || this.#inString;
    let depth = this.#depth;
    for (; i < n; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (this.#mode === STRING) return i + 1;
        }
      } else if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
    }
    this.#escaped = escaped;
    this.#inString = inString;
    this.#depth = depth;
    return -1;
  }

  #completeValue(events: RawAnnotationEvent[], at: number): void {
    const text =
      this.#parts.length === 1
        ? this.#parts[0]!.toString('utf8')
        : Buffer.concat(this.#parts).toString('utf8');
    this.#parts = [];
    this.#captured = 0;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw this.#malformed(`${(err as Error).message} (value ending at byte ${at})`);
    }
    if (this.#as === AS_KEY) {
      if (typeof value !== 'string') throw this.#malformed(`a key is not a string at byte ${at}`);
      this.#key = value;
      this.#state = COLON;
    } else if (this.#as === AS_ITEM) {
      events.push({ kind: 'item', job: this.#job, list: this.#list, index: this.#index++, value });
      this.#state = ITEM_NEXT;
    } else {
      events.push({ kind: 'field', job: this.#job, key: this.#key, value });
      this.#state = KEY_NEXT;
    }
  }

  #malformed(reason: string): AppError {
    return new AppError('ARCHIVE_JSON_MALFORMED', { entry: this.#entry, reason });
  }
}

/** Runs the scanner over a byte stream, yielding events as chunks complete them. */
export async function* scanAnnotations(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  options: ScanOptions = {},
): AsyncGenerator<RawAnnotationEvent> {
  const scanner = new AnnotationScanner(options.entry, options.maxItemBytes, options.jobLimit);
  for await (const piece of source) {
    const buf =
      typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    yield* scanner.push(buf);
  }
  scanner.end();
}
