/** Encoders of the zip records the writer emits (store-only, UTF-8 names, Unix attributes). */
import {
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  MADE_BY_UNIX,
  MAX_16,
  MAX_32,
  METHOD_STORED,
  S_IFREG,
  SIG_CENTRAL_HEADER,
  SIG_DATA_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL_HEADER,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  VERSION_DEFAULT,
  VERSION_ZIP64,
} from './zip-format.js';

/** One entry as the central directory will describe it. */
export interface CentralRecord {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

export interface LocalHeaderFields {
  crc: number;
  size: number;
  time: number;
  date: number;
  streamed: boolean;
  needs64: boolean;
}

export function localHeader(name: Buffer, f: LocalHeaderFields): Buffer {
  const extraLength = f.needs64 ? 20 : 0;
  const b = Buffer.alloc(30 + name.length + extraLength);
  b.writeUInt32LE(SIG_LOCAL_HEADER, 0);
  b.writeUInt16LE(f.needs64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  b.writeUInt16LE(FLAG_UTF8 | (f.streamed ? FLAG_DATA_DESCRIPTOR : 0), 6);
  b.writeUInt16LE(METHOD_STORED, 8);
  b.writeUInt16LE(f.time, 10);
  b.writeUInt16LE(f.date, 12);
  b.writeUInt32LE(f.crc >>> 0, 14);
  const size32 = f.needs64 && !f.streamed ? MAX_32 : f.size;
  b.writeUInt32LE(size32, 18);
  b.writeUInt32LE(size32, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(extraLength, 28);
  name.copy(b, 30);
  if (f.needs64) {
    const at = 30 + name.length;
    b.writeUInt16LE(EXTRA_ZIP64, at);
    b.writeUInt16LE(16, at + 2);
    // Streamed entries leave the sizes at zero here: the data descriptor carries them.
    b.writeBigUInt64LE(f.streamed ? 0n : BigInt(f.size), at + 4);
    b.writeBigUInt64LE(f.streamed ? 0n : BigInt(f.size), at + 12);
  }
  return b;
}

export function dataDescriptor(crc: number, size: number, wide: boolean): Buffer {
  const b = Buffer.alloc(wide ? 24 : 16);
  b.writeUInt32LE(SIG_DATA_DESCRIPTOR, 0);
  b.writeUInt32LE(crc >>> 0, 4);
  if (wide) {
    b.writeBigUInt64LE(BigInt(size), 8);
    b.writeBigUInt64LE(BigInt(size), 16);
  } else {
    b.writeUInt32LE(size, 8);
    b.writeUInt32LE(size, 12);
  }
  return b;
}

export function centralHeader(r: CentralRecord): Buffer {
  const bigSize = r.size >= MAX_32;
  const bigOffset = r.offset >= MAX_32;
  const extraLength = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
  const needs64 = extraLength > 0;
  const b = Buffer.alloc(46 + r.name.length + extraLength);
  b.writeUInt32LE(SIG_CENTRAL_HEADER, 0);
  b.writeUInt16LE((MADE_BY_UNIX << 8) | (needs64 ? VERSION_ZIP64 : VERSION_DEFAULT), 4);
  b.writeUInt16LE(needs64 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  b.writeUInt16LE(FLAG_UTF8, 8);
  b.writeUInt16LE(METHOD_STORED, 10);
  b.writeUInt16LE(r.time, 12);
  b.writeUInt16LE(r.date, 14);
  b.writeUInt32LE(r.crc >>> 0, 16);
  b.writeUInt32LE(bigSize ? MAX_32 : r.size, 20);
  b.writeUInt32LE(bigSize ? MAX_32 : r.size, 24);
  b.writeUInt16LE(r.name.length, 28);
  b.writeUInt16LE(extraLength, 30);
  // comment length, disk number start, internal attributes: zero
  b.writeUInt32LE(((S_IFREG | 0o644) << 16) >>> 0, 38);
  b.writeUInt32LE(bigOffset ? MAX_32 : r.offset, 42);
  r.name.copy(b, 46);
  if (needs64) {
    let at = 46 + r.name.length;
    b.writeUInt16LE(EXTRA_ZIP64, at);
    b.writeUInt16LE(extraLength - 4, at + 2);
    at += 4;
    if (bigSize) {
      b.writeBigUInt64LE(BigInt(r.size), at);
      b.writeBigUInt64LE(BigInt(r.size), at + 8);
      at += 16;
    }
    if (bigOffset) b.writeBigUInt64LE(BigInt(r.offset), at);
  }
  return b;
}

export function zip64EndRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(56);
  b.writeUInt32LE(SIG_ZIP64_EOCD, 0);
  b.writeBigUInt64LE(44n, 4);
  b.writeUInt16LE((MADE_BY_UNIX << 8) | VERSION_ZIP64, 12);
  b.writeUInt16LE(VERSION_ZIP64, 14);
  // disk numbers at 16 and 20: zero
  b.writeBigUInt64LE(BigInt(count), 24);
  b.writeBigUInt64LE(BigInt(count), 32);
  b.writeBigUInt64LE(BigInt(cdSize), 40);
  b.writeBigUInt64LE(BigInt(cdOffset), 48);
  return b;
}

export function zip64Locator(eocd64Offset: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
  b.writeBigUInt64LE(BigInt(eocd64Offset), 8);
  b.writeUInt32LE(1, 16);
  return b;
}

export function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(SIG_EOCD, 0);
  b.writeUInt16LE(Math.min(count, MAX_16), 8);
  b.writeUInt16LE(Math.min(count, MAX_16), 10);
  b.writeUInt32LE(Math.min(cdSize, MAX_32), 12);
  b.writeUInt32LE(Math.min(cdOffset, MAX_32), 16);
  return b;
}
