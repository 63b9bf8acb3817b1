/** What an image file's header says. */
export interface ImageHeader {
  format: 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';
  width: number;
  height: number;
}

/** `need-more`: the header continues past the bytes given; `null`: not an image we know. */
export type ProbeResult = ImageHeader | 'need-more' | null;

/** Headers this long settle every format but JPEG, whose size marker can follow big EXIF blocks. */
export const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads width and height from the first bytes of a JPEG, PNG, GIF, WebP or BMP file, without
 * decoding. Call again with more bytes on `need-more`.
 */
export function probeImage(buf: Buffer): ProbeResult {
  if (buf.length < 12) return buf.length === 0 || couldBeImage(buf) ? 'need-more' : null;
  if (buf[0] === 0xff && buf[1] === 0xd8) return probeJpeg(buf);
  if (buf.readUInt32BE(0) === 0x89504e47 && buf.readUInt32BE(4) === 0x0d0a1a0a) {
    if (buf.length < 24) return 'need-more';
    if (buf.toString('latin1', 12, 16) !== 'IHDR') return null;
    return sized('png', buf.readUInt32BE(16), buf.readUInt32BE(20));
  }
  const head6 = buf.toString('latin1', 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return sized('gif', buf.readUInt16LE(6), buf.readUInt16LE(8));
  if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP')
    return probeWebp(buf);
  if (buf[0] === 0x42 && buf[1] === 0x4d) {
    if (buf.length < 26) return 'need-more';
    const headerSize = buf.readUInt32LE(14);
    if (headerSize === 12) return sized('bmp', buf.readUInt16LE(18), buf.readUInt16LE(20));
    return sized('bmp', Math.abs(buf.readInt32LE(18)), Math.abs(buf.readInt32LE(22)));
  }
  return null;
}

function couldBeImage(buf: Buffer): boolean {
  const signatures = [
    [0xff, 0xd8],
    [0x89, 0x50, 0x4e, 0x47],
    [0x47, 0x49, 0x46],
    [0x52, 0x49, 0x46, 0x46],
    [0x42, 0x4d],
  ];
  return signatures.some((sig) => sig.every((b, i) => i >= buf.length || buf[i] === b));
}

function sized(format: ImageHeader['format'], width: number, height: number): ImageHeader | null {
  return width > 0 && height > 0 ? { format, width, height } : null;
}

function probeJpeg(buf: Buffer): ProbeResult {
  let at = 2;
  while (true) {
    if (at + 4 > buf.length) return 'need-more';
    if (buf[at] !== 0xff) return null;
    const marker = buf[at + 1]!;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // image data before any frame header
    const length = buf.readUInt16BE(at + 2);
    if (length < 2) return null;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > buf.length) return 'need-more';
      return sized('jpeg', buf.readUInt16BE(at + 7), buf.readUInt16BE(at + 5));
    }
    at += 2 + length;
  }
}

function probeWebp(buf: Buffer): ProbeResult {
  if (buf.length < 30) return 'need-more';
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    if (buf[23] !== 0x9d || buf[24] !== 0x01 || buf[25] !== 0x2a) return null;
    return sized('webp', buf.readUInt16LE(26) & 0x3fff, buf.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (buf[20] !== 0x2f) return null;
    const bits = buf.readUInt32LE(21);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return sized('webp', buf.readUIntLE(24, 3) + 1, buf.readUIntLE(27, 3) + 1);
  return null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** The Content-Type of a frame from its file name, as CVAT guesses it. */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && CONTENT_TYPES[name.slice(dot).toLowerCase()]) || 'application/octet-stream';
}
