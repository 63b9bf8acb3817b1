/**
 * Walks one JSON value byte by byte without keeping it: checks its syntax (as strictly as
 * `JSON.parse`, which is as strict as CVAT's parser: no NaN, no trailing commas, no control
 * characters in strings) and finds where it ends. Memory is one byte per nesting level, and
 * nesting is bounded, so a value of any size costs the same. Used for the `annotations.json`
 * arrays of jobs CVAT never reads (it zips them with the jobs of `task.json`), which must still be
 * valid JSON for CVAT's parser to load the document.
 */

// What comes next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1; // just after '['
const KEY_OR_CLOSE = 2; // just after '{'
const KEY = 3;
const COLON = 4;
const COMMA_OR_CLOSE = 5;
const IN_STRING = 6;
const IN_NUMBER = 7;
const IN_LITERAL = 8;
const DONE = 9;

const OBJECT = 1;
const ARRAY = 2;

// Number grammar positions.
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_E = 5;
const N_E_SIGN = 6;
const N_EXP = 7;
const NUMBER_MAY_END = [false, true, true, false, true, false, false, true];

const LITERALS = { 116: 'true', 102: 'false', 110: 'null' } as Record<number, string>;
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

export class JsonSyntaxError extends Error {}

export class JsonSkipper {
  readonly #stack: Uint8Array;
  #depth = 0;
  #next = VALUE;
  #stringIsKey = false;
  /** 0: plain, 1: after a backslash, 2..5: hex digits of \u still expected + 1. */
  #escape = 0;
  #number = N_MINUS;
  #literal = '';
  #literalAt = 0;
  #bytes = 0;

  constructor(maxDepth = 512) {
    this.#stack = new Uint8Array(maxDepth);
  }

  get done(): boolean {
    return this.#next === DONE;
  }

  /**
   * Consumes `buf` from `from`; returns the index just past the value (for a number or a literal,
   * the index of the byte that ended it, left for the caller), or -1 when the value goes on.
   */
  feed(buf: Buffer, from: number): number {
    const n = buf.length;
    for (let i = from; i < n; i++) {
      const c = buf[i]!;
      const next = this.#next;
      if (next === IN_STRING) {
        if (this.#string(c)) continue;
        this.#next = this.#stringIsKey ? COLON : this.#afterValue();
      } else if (next === IN_NUMBER) {
        if (this.#numberGoesOn(c)) continue;
        this.#next = this.#afterValue();
        if (this.#next === DONE) return this.#end(i, from);
        i--; // the byte that ended the number is read again as what follows it
        continue;
      } else if (next === IN_LITERAL) {
        if (c !== this.#literal.charCodeAt(this.#literalAt)) throw this.#error(c, i, from);
        if (++this.#literalAt < this.#literal.length) continue;
        this.#next = this.#afterValue();
      } else if (isSpace(c)) {
        continue;
      } else if (next === VALUE || next === VALUE_OR_CLOSE) {
        if (next === VALUE_OR_CLOSE && c === 0x5d) this.#close(ARRAY, c, i, from);
        else this.#startValue(c, i, from);
      } else if (next === KEY || next === KEY_OR_CLOSE) {
        if (next === KEY_OR_CLOSE && c === 0x7d) this.#close(OBJECT, c, i, from);
        else if (c === 0x22) {
          this.#stringIsKey = true;
          this.#escape = 0;
          this.#next = IN_STRING;
        } else throw this.#error(c, i, from);
      } else if (next === COLON) {
        if (c !== 0x3a) throw this.#error(c, i, from);
        this.#next = VALUE;
      } else if (next === COMMA_OR_CLOSE) {
        const top = this.#stack[this.#depth - 1];
        if (c === 0x2c) this.#next = top === OBJECT ? KEY : VALUE;
        else if (c === 0x5d || c === 0x7d) this.#close(c === 0x5d ? ARRAY : OBJECT, c, i, from);
        else throw this.#error(c, i, from);
      } else {
        throw this.#error(c, i, from);
      }
      if (this.#next === DONE) return this.#end(i + 1, from);
    }
    this.#bytes += n - from;
    return -1;
  }

  /** The value may end with the input only when it is a complete number (`[1,2]` never ends so). */
  finish(): void {
    if (this.#next === IN_NUMBER && this.#depth === 0 && NUMBER_MAY_END[this.#number]) {
      this.#next = DONE;
      return;
    }
    if (this.#next !== DONE) throw new JsonSyntaxError('the value ends before it is complete');
  }

  #end(at: number, from: number): number {
    this.#bytes += at - from;
    return at;
  }

  #startValue(c: number, i: number, from: number): void {
    if (c === 0x7b || c === 0x5b) {
      if (this.#depth === this.#stack.length) {
        throw new JsonSyntaxError(`a value is nested deeper than ${this.#stack.length} levels`);
      }
      this.#stack[this.#depth++] = c === 0x7b ? OBJECT : ARRAY;
      this.#next = c === 0x7b ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
    } else if (c === 0x22) {
      this.#stringIsKey = false;
      this.#escape = 0;
      this.#next = IN_STRING;
    } else if (c === 0x2d || isDigit(c)) {
      this.#number = c === 0x2d ? N_MINUS : c === 0x30 ? N_ZERO : N_INT;
      this.#next = IN_NUMBER;
    } else if (LITERALS[c] !== undefined) {
      this.#literal = LITERALS[c]!;
      this.#literalAt = 1;
      this.#next = IN_LITERAL;
    } else throw this.#error(c, i, from);
  }

  #close(kind: number, c: number, i: number, from: number): void {
    if (this.#stack[this.#depth - 1] !== kind) throw this.#error(c, i, from);
    this.#depth--;
    this.#next = this.#afterValue();
  }

  #afterValue(): number {
    return this.#depth === 0 ? DONE : COMMA_OR_CLOSE;
  }

  /** True while the string goes on; false on its closing quote. */
  #string(c: number): boolean {
    const pending = this.#escape;
    if (pending === 0) {
      if (c === 0x22) return false;
      if (c === 0x5c) this.#escape = 1;
      else if (c < 0x20) throw new JsonSyntaxError('a string holds a raw control character');
    } else if (pending === 1) {
      if (c === 0x75) this.#escape = 5;
      else if (ESCAPES.has(c)) this.#escape = 0;
      else throw new JsonSyntaxError(`a string holds the unknown escape "\\${String.fromCharCode(c)}"`);
    } else {
      if (!isHex(c)) throw new JsonSyntaxError('a \\u escape is not followed by four hex digits');
      this.#escape = pending === 2 ? 0 : pending - 1;
    }
    return true;
  }

  /** True while `c` continues the number; false when it ends it (throws when it cannot end there). */
  #numberGoesOn(c: number): boolean {
    const at = this.#number;
    const digit = isDigit(c);
    if (at === N_MINUS) this.#number = c === 0x30 ? N_ZERO : digit ? N_INT : -1;
    else if ((at === N_INT || at === N_ZERO) && (digit || c === 0x2e || c === 0x65 || c === 0x45)) {
      this.#number = digit ? (at === N_ZERO ? -1 : N_INT) : c === 0x2e ? N_DOT : N_E;
    } else if (at === N_DOT) this.#number = digit ? N_FRAC : -1;
    else if (at === N_FRAC && (digit || c === 0x65 || c === 0x45)) this.#number = digit ? N_FRAC : N_E;
    else if (at === N_E) this.#number = digit ? N_EXP : c === 0x2b || c === 0x2d ? N_E_SIGN : -1;
    else if (at === N_E_SIGN) this.#number = digit ? N_EXP : -1;
    else if (at === N_EXP && digit) this.#number = N_EXP;
    else if (NUMBER_MAY_END[at]) return false;
    else this.#number = -1;
    if (this.#number === -1) throw new JsonSyntaxError('a number is malformed');
    return true;
  }

  #error(c: number, i: number, from: number): JsonSyntaxError {
    return new JsonSyntaxError(
      `unexpected "${String.fromCharCode(c)}" ${this.#bytes + i - from} bytes into the value`,
    );
  }
}
