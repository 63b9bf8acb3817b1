import { describe, expect, it } from 'vitest';
import { bmp, gif, jpeg, png, webpExtended, webpLossless, webpLossy } from '../../test/test-images.js';
import { contentTypeOf, probeImage } from './image-header.js';

describe('probeImage', () => {
  it.each([
    ['png', png(640, 480)],
    ['gif', gif(640, 480)],
    ['bmp', bmp(640, 480)],
    ['jpeg', jpeg(640, 480)],
    ['webp (lossy)', webpLossy(640, 480)],
    ['webp (lossless)', webpLossless(640, 480)],
    ['webp (extended)', webpExtended(640, 480)],
  ])('reads the size of a %s header', (_name, bytes) => {
    expect(probeImage(bytes)).toMatchObject({ width: 640, height: 480 });
  });

  it('finds the JPEG frame header behind a large APP1 (EXIF) segment', () => {
    const bytes = jpeg(1920, 1080, 60_000);
    expect(probeImage(bytes.subarray(0, 1024))).toBe('need-more');
    expect(probeImage(bytes)).toEqual({ format: 'jpeg', width: 1920, height: 1080 });
  });

  it('asks for more bytes on a truncated header and refuses what is no image', () => {
    expect(probeImage(png(10, 10).subarray(0, 16))).toBe('need-more');
    expect(probeImage(Buffer.from([0x89]))).toBe('need-more');
    expect(probeImage(Buffer.from('hello, this is plain text'))).toBeNull();
    expect(probeImage(Buffer.from('hel'))).toBeNull();
  });

  it('refuses a PNG without IHDR, a zero-sized image and a JPEG whose scan starts before a frame header', () => {
    const broken = png(10, 10);
    broken.write('XXXX', 12, 'latin1');
    expect(probeImage(broken)).toBeNull();
    expect(probeImage(gif(0, 10))).toBeNull();
    expect(probeImage(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
  });

  it('names content types by extension', () => {
    expect(contentTypeOf('a/b.JPG')).toBe('image/jpeg');
    expect(contentTypeOf('x.png')).toBe('image/png');
    expect(contentTypeOf('noext')).toBe('application/octet-stream');
  });
});
