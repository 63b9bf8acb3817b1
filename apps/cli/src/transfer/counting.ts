import { Transform } from 'node:stream';

/** Passes bytes through and reports the running total after each chunk. */
export function counting(start: number, onBytes: (total: number) => void): Transform {
  let total = start;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
}
