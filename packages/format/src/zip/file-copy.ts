import type { EntrySink, StreamedEntry } from './entry-sum.js';
import { type ChunkRing, FILE_CHUNK, HEAD_ROOM, type ReadableFile } from './file-chunks.js';

/** Room a data descriptor needs behind the last chunk (the ZIP64 form). */
const DESCRIPTOR_ROOM = 24;

interface Chunk {
  buffer: Buffer;
  /** Where the file's bytes start in `buffer` (after a local header copied in front). */
  start: number;
  length: number;
  /** Bytes asked for: a shorter answer at the declared size proves the file ends there. */
  asked: number;
  release: () => void;
}

/**
 * Copies a file into `entry`: positional reads into ring buffers, the next read issued while
 * the previous chunk is written and checksummed. The local header rides at the front of the
 * first chunk and the data descriptor behind the last one, so a file of one chunk is one write.
 * Settles only once no read is in flight, so the caller may close the file right after.
 */
export async function copyFile(
  file: ReadableFile,
  entry: StreamedEntry,
  ring: ChunkRing,
  sink: EntrySink,
): Promise<void> {
  const { declared, sum } = entry;
  let position = 0;
  const read = async (lead: Buffer | undefined): Promise<Chunk> => {
    const { buffer, release } = await ring.acquire();
    const start = lead ? lead.copy(buffer, 0) : 0;
    // One byte past the declared end tells a longer file from an exact one.
    const asked = declared === undefined ? FILE_CHUNK : Math.min(FILE_CHUNK, declared - position + 1);
    try {
      const { bytesRead } = await file.read(buffer, start, asked, position);
      position += bytesRead;
      return { buffer, start, length: bytesRead, asked, release };
    } catch (err) {
      release();
      throw err;
    }
  };
  const headerFits = entry.header.length + DESCRIPTOR_ROOM <= HEAD_ROOM;
  // The read in flight, not yet taken by the loop (its buffer is ours to free on failure).
  let next: Promise<Chunk> | undefined = read(headerFits ? entry.header : undefined);
  try {
    for (;;) {
      const { buffer, start, length, asked, release } = await next;
      next = undefined;
      const data = buffer.subarray(start, start + length);
      // End of file, or longer than declared: the writer sends what is left and checks the size.
      if (length === 0 || !sum.take(data)) {
        release();
        return;
      }
      if (!entry.headerSent && start === 0) {
        // The header did not fit in front of the chunk: it goes alone.
        entry.headerSent = true;
        if (!sink.send(entry.header)) await sink.drain();
      }
      entry.headerSent = true;
      if (declared !== undefined && position === declared && length < asked) {
        sum.update(data);
        const end = start + length + entry.descriptor().copy(buffer, start + length);
        entry.descriptorSent = true;
        if (!sink.send(buffer.subarray(0, end), release)) await sink.drain();
        return;
      }
      const drained = sink.send(buffer.subarray(0, start + length), release);
      next = read(undefined);
      // Observed by the await at the top of the loop, or in the finally below.
      next.catch(() => undefined);
      // Checksums are computed while the chunk is being written and the next one read.
      sum.update(data);
      if (!drained) await sink.drain();
    }
  } finally {
    (await next?.catch(() => undefined))?.release();
  }
}
