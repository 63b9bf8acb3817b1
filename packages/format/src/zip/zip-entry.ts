/** One file entry of an archive, as its central directory describes it (validated). */
export interface ZipEntry {
  readonly name: string;
  /** Uncompressed length in bytes. */
  readonly size: number;
  readonly compressedSize: number;
  readonly crc32: number;
  /** 0 = stored, 8 = deflate (the only methods accepted). */
  readonly method: number;
  readonly mtime: Date;
  readonly localHeaderOffset: number;
  /** Where the next record starts: this entry's bytes must end before it. */
  readonly limit: number;
}

/** Bounds the reader enforces before anything is extracted; every one is configurable. */
export interface ZipLimits {
  /** Most entries (files and directories) accepted. Default 1,000,000. */
  maxEntries: number;
  /** Most total uncompressed bytes accepted. Default 1 TiB. */
  maxTotalSize: number;
  /** Highest uncompressed/compressed ratio of one entry. Default 200 (deflate peaks near 1,032). */
  maxCompressionRatio: number;
  /** Entries smaller than this are exempt from the ratio check (tiny JSON compresses well). */
  ratioCheckMinSize: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000_000,
  maxTotalSize: 2 ** 40,
  maxCompressionRatio: 200,
  ratioCheckMinSize: 1 << 20,
};
