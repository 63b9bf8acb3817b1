import path from 'node:path/posix';
import { AppError } from '@cvat-backup/common';

/** One image of a task as the manifest describes it; `path` is relative to the media folder. */
export interface MediaFile {
  path: string;
  width: number;
  height: number;
  byteSize: number | null;
  checksum: string | null;
  relatedImages?: string[];
}

/** CVAT's image manifest (`manifest.jsonl`, version 1.1) lines, without newlines. */
export function* manifestLines(files: Iterable<MediaFile>): Iterable<string> {
  yield JSON.stringify({ version: '1.1' });
  yield JSON.stringify({ type: 'images' });
  for (const f of files) {
    const ext = path.extname(f.path);
    yield JSON.stringify({
      name: ext ? f.path.slice(0, -ext.length) : f.path,
      extension: ext,
      width: f.width,
      height: f.height,
      meta: { related_images: f.relatedImages ?? [] },
      ...(f.checksum ? { checksum: f.checksum } : {}),
    });
  }
}

/** An image entry of a manifest read from a bucket. */
export interface ManifestImage {
  path: string;
  width: number;
  height: number;
  checksum: string | null;
  relatedImages: string[];
}

/**
 * Parses the lines of an image manifest (`{"version"}`, `{"type":"images"}`, then one line per image).
 * Video manifests and malformed lines are refused with a message naming the line.
 */
export function parseManifestLine(line: string, lineNo: number, manifest: string): ManifestImage | null {
  const fail = (problem: string) =>
    new AppError('API_DATA_SOURCE_INVALID', {
      problem: `${manifest} line ${lineNo + 1}: ${problem}`,
      field: 'server_files',
    });
  if (line.trim() === '') return null;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw fail('not JSON');
  }
  if (!value || typeof value !== 'object') throw fail('not a JSON object');
  if ('version' in value) return null;
  if ('type' in value) {
    if (value.type !== 'images')
      throw fail('only image manifests are supported (video data cannot be in a cloud storage)');
    return null;
  }
  const { name, extension, width, height, checksum, meta } = value as {
    name?: unknown;
    extension?: unknown;
    width?: unknown;
    height?: unknown;
    checksum?: unknown;
    meta?: { related_images?: unknown };
  };
  if (typeof name !== 'string' || typeof extension !== 'string')
    throw fail('"name" and "extension" are required');
  if (!Number.isInteger(width) || !Number.isInteger(height)) throw fail('"width" and "height" are required');
  const related = Array.isArray(meta?.related_images)
    ? meta.related_images.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    path: `${name}${extension}`,
    width: width as number,
    height: height as number,
    checksum: typeof checksum === 'string' ? checksum : null,
    relatedImages: related,
  };
}
