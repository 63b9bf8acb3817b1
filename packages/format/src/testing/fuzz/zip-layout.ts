/**
 * Where the records of a valid archive sit, so a fuzz mutation can aim at one: local headers, entry
 * data, central directory records, the end record and the ZIP64 end records. Only ever applied to
 * archives the tests built themselves (it trusts what it reads).
 */
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  EXTRA_ZIP64,
  LOCAL_HEADER_SIZE,
  MAX_32,
  SIG_ZIP64_LOCATOR,
  ZIP64_LOCATOR_SIZE,
} from '../../zip/zip-format.js';

export interface Span {
  start: number;
  end: number;
}

export interface ZipLayout {
  localHeaders: Span[];
  data: Span[];
  centralRecords: Span[];
  eocd: Span;
  zip64End?: Span;
  zip64Locator?: Span;
}

export function zipLayout(zip: Buffer): ZipLayout {
  const eocdAt = zip.length - EOCD_SIZE;
  let count = zip.readUInt16LE(eocdAt + 10);
  let cdOffset = zip.readUInt32LE(eocdAt + 16);
  const layout: ZipLayout = { localHeaders: [], data: [], centralRecords: [], eocd: span(eocdAt, EOCD_SIZE) };
  const locatorAt = eocdAt - ZIP64_LOCATOR_SIZE;
  if (locatorAt >= 0 && zip.readUInt32LE(locatorAt) === SIG_ZIP64_LOCATOR) {
    const endAt = Number(zip.readBigUInt64LE(locatorAt + 8));
    layout.zip64Locator = span(locatorAt, ZIP64_LOCATOR_SIZE);
    layout.zip64End = { start: endAt, end: locatorAt };
    count = Number(zip.readBigUInt64LE(endAt + 32));
    cdOffset = Number(zip.readBigUInt64LE(endAt + 48));
  }
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const extra = zip.subarray(
      at + CENTRAL_HEADER_SIZE + nameLength,
      at + CENTRAL_HEADER_SIZE + nameLength + extraLength,
    );
    const wide = zip64Extra(extra);
    let compressed = zip.readUInt32LE(at + 20);
    let offset = zip.readUInt32LE(at + 42);
    // ZIP64 extra fields list only the maxed fields, in the order size, compressed size, offset.
    let w = 0;
    if (zip.readUInt32LE(at + 24) === MAX_32) w++;
    if (compressed === MAX_32) compressed = wide[w++]!;
    if (offset === MAX_32) offset = wide[w++]!;
    const recordEnd = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    layout.centralRecords.push({ start: at, end: recordEnd });
    const dataStart =
      offset + LOCAL_HEADER_SIZE + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    layout.localHeaders.push({ start: offset, end: dataStart });
    layout.data.push({ start: dataStart, end: dataStart + compressed });
    at = recordEnd;
  }
  return layout;
}

function span(start: number, length: number): Span {
  return { start, end: start + length };
}

function zip64Extra(extra: Buffer): number[] {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== EXTRA_ZIP64) continue;
    const values: number[] = [];
    for (let p = at + 4; p + 8 <= at + 4 + extra.readUInt16LE(at + 2); p += 8) {
      values.push(Number(extra.readBigUInt64LE(p)));
    }
    return values;
  }
  return [];
}
