/** Minimal but well-formed image headers (and bodies) for tests: sizes are what the parser must find. */

export function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33 + 12);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt8(8, 24);
  b.writeUInt8(2, 25);
  b.writeUInt32BE(0, 33);
  b.write('IEND', 37, 'latin1');
  return b;
}

export function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(14);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  b[13] = 0x3b;
  return b;
}

export function bmp(width: number, height: number): Buffer {
  const b = Buffer.alloc(54);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(54, 2);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(-height, 22);
  return b;
}

/** A JPEG: SOI, APP1 segments of `exifBytes` in all, a SOF0 with the size, SOS, EOI. */
export function jpeg(width: number, height: number, exifBytes = 16): Buffer {
  const segments: Buffer[] = [];
  for (let left = exifBytes; left > 0; left -= 60_000) {
    const size = Math.min(left, 60_000);
    const segment = Buffer.alloc(4 + size);
    segment.writeUInt16BE(0xffe1, 0);
    segment.writeUInt16BE(size + 2, 2);
    segments.push(segment);
  }
  const app1 = Buffer.concat(segments);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof[9] = 3;
  const tail = Buffer.from([0xff, 0xda, 0x00, 0x02, 0x11, 0x22, 0xff, 0xd9]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, sof, tail]);
}

function riff(chunk: string, payload: Buffer): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(12 + payload.length, 4);
  b.write('WEBP', 8, 'latin1');
  b.write(chunk, 12, 'latin1');
  b.writeUInt32LE(payload.length, 16);
  payload.copy(b, 20);
  return b;
}

export function webpLossy(width: number, height: number): Buffer {
  const p = Buffer.alloc(10);
  Buffer.from([0x9d, 0x01, 0x2a]).copy(p, 3);
  p.writeUInt16LE(width, 6);
  p.writeUInt16LE(height, 8);
  return riff('VP8 ', p);
}

export function webpLossless(width: number, height: number): Buffer {
  const p = Buffer.alloc(10);
  p[0] = 0x2f;
  p.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 1);
  return riff('VP8L', p);
}

export function webpExtended(width: number, height: number): Buffer {
  const p = Buffer.alloc(10);
  p.writeUIntLE(width - 1, 4, 3);
  p.writeUIntLE(height - 1, 7, 3);
  return riff('VP8X', p);
}
