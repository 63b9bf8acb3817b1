/**
 * A deliberately permissive zip composer for building hostile archives in tests: every field the
 * reader checks can be set to a wrong value. Never used to write real backups.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  name: string | Buffer;
  data?: Buffer | string;
  /** Deflate `data` (method 8). */
  deflate?: boolean;
  /** Method written in the headers (default 0, or 8 when `deflate`). */
  method?: number;
  flags?: number;
  /** Overrides of what the central directory declares. */
  crc?: number;
  size?: number;
  compressedSize?: number;
  externalAttributes?: number;
  madeBy?: number;
  /** Points the central record at another entry's local header (overlap attacks). */
  sameOffsetAs?: number;
  /** Name written in the local header, when it should differ from the central one. */
  localName?: string;
}

export interface RawZipOptions {
  /** Declared entry count in the end record. */
  declaredCount?: number;
  /** Declared central directory offset in the end record. */
  declaredOffset?: number;
  omitEndRecord?: boolean;
}

export function composeZip(entries: RawEntry[], options: RawZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8');
    const localName = e.localName === undefined ? name : Buffer.from(e.localName, 'utf8');
    const raw = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const body = e.deflate ? deflateRawSync(raw) : raw;
    const method = e.method ?? (e.deflate ? 8 : 0);
    const flags = e.flags ?? 0x0800;
    const crc = e.crc ?? crc32(raw);
    const size = e.size ?? raw.length;
    const compressedSize = e.compressedSize ?? body.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressedSize >>> 0, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(localName.length, 26);
    const at = e.sameOffsetAs === undefined ? offset : offsets[e.sameOffsetAs]!;
    offsets.push(offset);
    if (e.sameOffsetAs === undefined) {
      locals.push(local, localName, body);
      offset += 30 + localName.length + body.length;
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(((e.madeBy ?? 3) << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressedSize >>> 0, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.externalAttributes ?? 0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(at, 42);
    centrals.push(central, name);
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.declaredCount ?? entries.length, 8);
  end.writeUInt16LE(options.declaredCount ?? entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(options.declaredOffset ?? offset, 16);
  return Buffer.concat([...locals, cd, ...(options.omitEndRecord ? [] : [end])]);
}
