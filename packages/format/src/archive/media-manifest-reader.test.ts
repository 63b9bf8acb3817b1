import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { type MediaManifestLine, readMediaManifest } from './media-manifest-reader.js';

async function read(text: string, pieces = 3): Promise<MediaManifestLine[]> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += pieces) chunks.push(bytes.subarray(at, at + pieces));
  const out: MediaManifestLine[] = [];
  for await (const line of readMediaManifest(chunks)) out.push(line);
  return out;
}

async function codeOf(text: string): Promise<string | undefined> {
  return read(text).then(
    () => undefined,
    (e: unknown) => (isAppError(e) ? e.code : String(e)),
  );
}

describe('media manifest reader', () => {
  it('reads an image manifest (with related images) across chunk boundaries', async () => {
    const lines = await read(
      '{"version":"1.1"}\n{"type":"images"}\n{"name":"images/a","extension":".jpg","width":2,"height":3,"meta":{"related_images":["r/1.png"]},"checksum":"x"}\n{"name":"b","extension":".png"}',
    );
    expect(lines).toEqual([
      { kind: 'version', version: '1.1' },
      { kind: 'type', type: 'images' },
      {
        kind: 'image',
        line: 3,
        item: {
          name: 'images/a',
          extension: '.jpg',
          width: 2,
          height: 3,
          meta: { related_images: ['r/1.png'] },
          checksum: 'x',
        },
      },
      { kind: 'image', line: 4, item: { name: 'b', extension: '.png' } },
    ]);
  });

  it('reads a video manifest', async () => {
    const lines = await read(
      '{"version":"1.0"}\n{"type":"video"}\n{"properties":{"name":"v.mp4","resolution":[640,480],"length":100}}\n{"number":0,"pts":0,"checksum":"a"}\n',
    );
    expect(lines.slice(2)).toEqual([
      { kind: 'video-properties', name: 'v.mp4', resolution: [640, 480], length: 100 },
      { kind: 'key-frame', line: 4, frame: { number: 0, pts: 0, checksum: 'a' } },
    ]);
  });

  it.each([
    ['unknown manifest version', '{"version":"9"}\n{"type":"images"}\n', 'ARCHIVE_SCHEMA_INVALID'],
    [
      'image without extension',
      '{"version":"1.1"}\n{"type":"images"}\n{"name":"a"}\n',
      'ARCHIVE_SCHEMA_INVALID',
    ],
    ['broken line', '{"version":"1.1"}\n{"type":"images"}\n{"name":\n', 'ARCHIVE_JSON_MALFORMED'],
    ['no header lines', '', 'ARCHIVE_SCHEMA_INVALID'],
  ])('refuses %s', async (_label, text, code) => {
    expect(await codeOf(text)).toBe(code);
  });
});
