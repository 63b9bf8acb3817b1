/**
 * JSON text exactly as CVAT renders it: compact separators; `task.json`/`project.json` as DRF's
 * JSONRenderer (UTF-8, U+2028/U+2029 escaped), `annotations.json` with every character outside
 * printable ASCII escaped as `\uXXXX` (surrogate pairs for astral characters), like Python's
 * `ensure_ascii=True`.
 */

const NON_PRINTABLE_ASCII = /[\u007f-\uffff]/g;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

const hex4 = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON.stringify with non-ASCII escaped (Python `ensure_ascii=True`). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NON_PRINTABLE_ASCII, hex4);
}

/** JSON.stringify as DRF renders it: UTF-8, with U+2028/U+2029 escaped. */
export function drfJson(value: unknown): string {
  return JSON.stringify(value).replace(LINE_SEPARATORS, hex4);
}

/**
 * A float as Python prints it where the value is integral (`10.0`, not `10`): CVAT stores points
 * and rotation as floats. Fractions use the shortest round-trip form, like Python's repr.
 */
export function pythonFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return Object.is(n, -0) ? '-0.0' : `${n}.0`;
  return String(n);
}

/** Builds an object with exactly `keys`, in that order, skipping keys whose value is undefined. */
export function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out;
}
