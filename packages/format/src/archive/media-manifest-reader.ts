import { AppError } from '@cvat-backup/common';
import {
  type ImageManifestItem,
  imageManifestItemSchema,
  manifestTypeLineSchema,
  manifestVersionLineSchema,
  type VideoKeyFrame,
  videoKeyFrameSchema,
  videoPropertiesLineSchema,
} from '../schema/media-manifest.schema.js';
import { parseArchiveJson } from '../schema/schema-errors.js';

export type MediaManifestLine =
  | { kind: 'version'; version: '1.0' | '1.1' }
  | { kind: 'type'; type: 'images' | 'video' }
  | { kind: 'image'; line: number; item: ImageManifestItem }
  | { kind: 'video-properties'; name: string; resolution: [number, number]; length: number }
  | { kind: 'key-frame'; line: number; frame: VideoKeyFrame };

/**
 * Reads `data/manifest.jsonl` line by line (images or video, manifest versions 1.0 and 1.1): a
 * lightweight restore takes its file names from here. Lines above `maxLineBytes` are refused.
 */
export async function* readMediaManifest(
  bytes: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  options: { entry?: string; maxLineBytes?: number } = {},
): AsyncGenerator<MediaManifestLine> {
  const entry = options.entry ?? 'data/manifest.jsonl';
  const maxLine = options.maxLineBytes ?? 1 << 20;
  let carry = Buffer.alloc(0);
  let lineNo = 0;
  let type: 'images' | 'video' | undefined;

  const parseLine = (raw: Buffer): MediaManifestLine | undefined => {
    const text = raw.toString('utf8').trim();
    lineNo++;
    if (text === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new AppError('ARCHIVE_JSON_MALFORMED', {
        entry,
        reason: `line ${lineNo}: ${(err as Error).message}`,
      });
    }
    const where = `line ${lineNo}`;
    if (lineNo === 1)
      return {
        kind: 'version',
        version: parseArchiveJson(manifestVersionLineSchema, value, entry, where).version,
      };
    if (lineNo === 2) {
      type = parseArchiveJson(manifestTypeLineSchema, value, entry, where).type;
      return { kind: 'type', type };
    }
    if (type === 'images')
      return {
        kind: 'image',
        line: lineNo,
        item: parseArchiveJson(imageManifestItemSchema, value, entry, where),
      };
    if (lineNo === 3) {
      const { properties } = parseArchiveJson(videoPropertiesLineSchema, value, entry, where);
      return {
        kind: 'video-properties',
        name: properties.name,
        resolution: properties.resolution,
        length: properties.length,
      };
    }
    return {
      kind: 'key-frame',
      line: lineNo,
      frame: parseArchiveJson(videoKeyFrameSchema, value, entry, where),
    };
  };

  for await (const piece of bytes) {
    const chunk =
      typeof piece === 'string'
        ? Buffer.from(piece)
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let nl = buf.indexOf(0x0a);
    while (nl >= 0) {
      const line = parseLine(buf.subarray(0, nl));
      if (line) yield line;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    if (buf.length > maxLine)
      throw new AppError('ARCHIVE_ENTRY_TOO_LARGE', {
        entry: `${entry} (one line)`,
        size: buf.length,
        limit: maxLine,
      });
    carry = Buffer.from(buf);
  }
  if (carry.length) {
    const line = parseLine(carry);
    if (line) yield line;
  }
  if (lineNo < 2)
    throw new AppError('ARCHIVE_SCHEMA_INVALID', {
      entry,
      problems: 'the manifest has no version and type lines',
    });
}
