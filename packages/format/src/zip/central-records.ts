import { AppError } from '@cvat-backup/common';
import type { DirectoryLocation } from './central-directory.js';
import { safeNumber } from './central-directory.js';
import { fromDosDateTime } from './dos-time.js';
import { entryNameProblem, isDirectoryName } from './entry-name.js';
import type { RandomAccessSource } from './random-access-source.js';
import type { ZipEntry, ZipLimits } from './zip-entry.js';
import {
  CENTRAL_HEADER_SIZE,
  EXTRA_ZIP64,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  LOCAL_HEADER_SIZE,
  MAX_32,
  METHOD_AES,
  METHOD_DEFLATE,
  METHOD_STORED,
  S_IFLNK,
  S_IFMT,
  SIG_CENTRAL_HEADER,
} from './zip-format.js';

const WINDOW = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const corrupt = (reason: string) => new AppError('ARCHIVE_CORRUPT', { reason });

interface Span {
  start: number;
  end: number;
  name: string;
}

/**
 * Reads every central directory record and refuses the archive at the first unsafe one: names
 * (UTF-8, traversal), symlinks, encryption, methods, duplicates, sizes, ratios, overlapping data.
 * Directory entries are checked but not returned.
 */
export async function readCentralRecords(
  source: RandomAccessSource,
  where: DirectoryLocation,
  limits: ZipLimits,
): Promise<ZipEntry[]> {
  if (where.count > limits.maxEntries) {
    throw new AppError('ARCHIVE_TOO_MANY_ENTRIES', { count: where.count, limit: limits.maxEntries });
  }
  const files: Array<Omit<ZipEntry, 'limit'>> = [];
  const spans: Span[] = [];
  const seen = new Set<string>();
  let total = 0;
  let buffer = Buffer.alloc(0);
  let bufferStart = where.offset;
  let at = where.offset;
  const end = where.offset + where.size;
  const need = async (length: number): Promise<Buffer> => {
    if (at + length > end) throw corrupt('the central directory is cut short');
    if (at + length > bufferStart + buffer.length) {
      const keep = buffer.subarray(at - bufferStart);
      const more = await source.read(bufferStart + buffer.length, Math.max(WINDOW, length));
      buffer = Buffer.concat([keep, more]);
      bufferStart = at;
      if (at + length > bufferStart + buffer.length) throw corrupt('the central directory is cut short');
    }
    return buffer.subarray(at - bufferStart, at - bufferStart + length);
  };

  for (let index = 0; index < where.count; index++) {
    const h = await need(CENTRAL_HEADER_SIZE);
    if (h.readUInt32LE(0) !== SIG_CENTRAL_HEADER)
      throw corrupt(`central directory record ${index} is damaged`);
    const madeBy = h.readUInt16LE(4) >> 8;
    const flags = h.readUInt16LE(8);
    const method = h.readUInt16LE(10);
    const time = h.readUInt16LE(12);
    const date = h.readUInt16LE(14);
    const crc = h.readUInt32LE(16);
    let compressedSize = h.readUInt32LE(20);
    let size = h.readUInt32LE(24);
    const nameLength = h.readUInt16LE(28);
    const extraLength = h.readUInt16LE(30);
    const commentLength = h.readUInt16LE(32);
    const external = h.readUInt32LE(38);
    let offset = h.readUInt32LE(42);
    at += CENTRAL_HEADER_SIZE;
    const rest = await need(nameLength + extraLength + commentLength);
    const nameBytes = rest.subarray(0, nameLength);
    const extra = rest.subarray(nameLength, nameLength + extraLength);
    at += nameLength + extraLength + commentLength;

    if (size === MAX_32 || compressedSize === MAX_32 || offset === MAX_32) {
      const wide = zip64Fields(extra, size === MAX_32, compressedSize === MAX_32, offset === MAX_32);
      size = wide.size ?? size;
      compressedSize = wide.compressedSize ?? compressedSize;
      offset = wide.offset ?? offset;
    }

    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      throw new AppError('ARCHIVE_NAME_NOT_UTF8', { hex: nameBytes.subarray(0, 32).toString('hex') });
    }
    const problem = entryNameProblem(name);
    if (problem) throw new AppError('ARCHIVE_UNSAFE_PATH', { entry: name, reason: problem });
    const mode = external >>> 16;
    if ((madeBy === 3 || madeBy === 19) && (mode & S_IFMT) === S_IFLNK) {
      throw new AppError('ARCHIVE_SYMLINK', { entry: name });
    }
    if (seen.has(name)) throw new AppError('ARCHIVE_DUPLICATE_ENTRY', { entry: name });
    seen.add(name);
    if (offset + LOCAL_HEADER_SIZE + nameLength + compressedSize > where.offset) {
      throw corrupt(`the data of "${name}" extends past the central directory`);
    }
    spans.push({ start: offset, end: offset + LOCAL_HEADER_SIZE + nameLength + compressedSize, name });
    if (isDirectoryName(name)) continue;

    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || method === METHOD_AES) {
      throw new AppError('ARCHIVE_ENCRYPTED', { entry: name });
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw new AppError('ARCHIVE_COMPRESSION_UNSUPPORTED', { entry: name, method: methodName(method) });
    }
    if (method === METHOD_STORED && size !== compressedSize) {
      throw corrupt(`the sizes of stored entry "${name}" disagree`);
    }
    if (size >= limits.ratioCheckMinSize) {
      const ratio = size / Math.max(compressedSize, 1);
      if (ratio > limits.maxCompressionRatio) {
        throw new AppError('ARCHIVE_COMPRESSION_RATIO', {
          entry: name,
          ratio: Math.round(ratio),
          limit: limits.maxCompressionRatio,
        });
      }
    }
    total += size;
    if (total > limits.maxTotalSize) {
      throw new AppError('ARCHIVE_TOO_LARGE', { size: total, limit: limits.maxTotalSize });
    }
    files.push({
      name,
      size,
      compressedSize,
      crc32: crc,
      method,
      mtime: fromDosDateTime(time, date),
      localHeaderOffset: offset,
    });
  }
  if (at !== end) throw corrupt('the central directory has more records than its end record declares');
  return withLimits(files, spans, where.offset);
}

/** Overlapping entries are a zip-bomb technique (one payload referenced many times). */
function withLimits(files: Array<Omit<ZipEntry, 'limit'>>, spans: Span[], cdOffset: number): ZipEntry[] {
  spans.sort((a, b) => a.start - b.start);
  const nextStart = new Map<number, number>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const next = spans[i + 1];
    if (next && span.end > next.start) {
      throw corrupt(`entries "${span.name}" and "${next.name}" overlap`);
    }
    nextStart.set(span.start, next ? next.start : cdOffset);
  }
  return files.map((f) => ({ ...f, limit: nextStart.get(f.localHeaderOffset) ?? cdOffset }));
}

function zip64Fields(
  extra: Buffer,
  wantSize: boolean,
  wantCompressed: boolean,
  wantOffset: boolean,
): { size?: number; compressedSize?: number; offset?: number } {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === EXTRA_ZIP64) {
      const field = extra.subarray(at + 4, at + 4 + length);
      const out: { size?: number; compressedSize?: number; offset?: number } = {};
      let p = 0;
      const take = () => {
        if (p + 8 > field.length) throw corrupt('a ZIP64 extra field is too short');
        const v = safeNumber(field.readBigUInt64LE(p));
        p += 8;
        return v;
      };
      if (wantSize) out.size = take();
      if (wantCompressed) out.compressedSize = take();
      if (wantOffset) out.offset = take();
      return out;
    }
    at += 4 + length;
  }
  throw corrupt('a size or offset needs a ZIP64 extra field, which is missing');
}

function methodName(method: number): string {
  const names: Record<number, string> = {
    9: '9 (deflate64)',
    12: '12 (bzip2)',
    14: '14 (lzma)',
    93: '93 (zstd)',
    95: '95 (xz)',
  };
  return names[method] ?? String(method);
}
