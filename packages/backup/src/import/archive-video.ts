import { posix } from 'node:path';
import type { NewData } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { type ArchiveFile, readMediaManifest, type TaskContent } from '@cvat-backup/format';
import { type FrameRange, MANIFEST } from './archive-media.js';

/** What a video manifest says about its video (line 3), and how many key-frame lines follow. */
export interface VideoManifest {
  name: string;
  width: number;
  height: number;
  /** Frames in the whole video. */
  length: number;
  keyFrames: number;
}

/** The frames a video task keeps, computed as CVAT's task creation does (task.py). */
export interface VideoFrames {
  size: number;
  stopFrame: number;
}

/**
 * Extensions CVAT's media detection takes for video (by MIME type). Only used to name the problem
 * when an archive holds a video but no manifest; a video with a manifest is found by the manifest.
 */
const VIDEO_EXTENSIONS = new Set([
  '.3gp',
  '.avi',
  '.flv',
  '.m2ts',
  '.m4v',
  '.mkv',
  '.mov',
  '.mp4',
  '.mpeg',
  '.mpg',
  '.mts',
  '.ogv',
  '.ts',
  '.webm',
  '.wmv',
]);

const isVideoPath = (path: string) => VIDEO_EXTENSIONS.has(posix.extname(path).toLowerCase());

/** The manifest's type line: `images` or `video`. Reads only the first two lines. */
export async function manifestType(file: ArchiveFile): Promise<'images' | 'video'> {
  const lines = readMediaManifest(await file.open(), { entry: file.entry });
  try {
    for await (const line of lines) if (line.kind === 'type') return line.type;
  } finally {
    await lines.return(undefined);
  }
  // readMediaManifest refuses a manifest without its two header lines before this is reached.
  throw new AppError('INTERNAL', { reason: `${file.entry} has no type line` });
}

/**
 * Reads a whole video manifest, streaming: the properties line must come third (the reader refuses
 * a key-frame line there), and every key frame must lie inside the video.
 */
export async function readVideoManifest(file: ArchiveFile): Promise<VideoManifest> {
  let found: VideoManifest | undefined;
  for await (const line of readMediaManifest(await file.open(), { entry: file.entry })) {
    if (line.kind === 'video-properties') {
      const [width, height] = line.resolution;
      found = { name: line.name, width, height, length: line.length, keyFrames: 0 };
    } else if (line.kind === 'key-frame' && found) {
      if (line.frame.number >= found.length)
        throw new AppError('ARCHIVE_SCHEMA_INVALID', {
          entry: file.entry,
          problems: `line ${line.line}: key frame ${line.frame.number} is past the video's last frame (${found.length - 1})`,
        });
      found.keyFrames++;
    } else if (line.kind === 'image') {
      throw new AppError('INTERNAL', { reason: `${file.entry} is not a video manifest` });
    }
  }
  if (!found)
    throw new AppError('ARCHIVE_SCHEMA_INVALID', {
      entry: file.entry,
      problems: 'line 3: a video manifest needs its {"properties":{"name","resolution","length"}} line',
    });
  return found;
}

/** The one video file of the task: data/ must hold it (by the manifest's name) and nothing else. */
export function videoFile(content: TaskContent, manifest: VideoManifest): ArchiveFile {
  const others = content.media.filter((f) => f.path !== MANIFEST);
  // CVAT writes the file's base name into the manifest; the file itself may sit in a subfolder.
  const matches = (f: ArchiveFile) => f.path === manifest.name || posix.basename(f.path) === manifest.name;
  const video = others.find(matches);
  if (!video || others.length !== 1) {
    const listed = others.slice(0, 5).map((f) => f.path);
    const more = others.length > 5 ? ` and ${others.length - 5} more` : '';
    throw new AppError('BACKUP_VIDEO_MEDIA_MISMATCH', {
      entry: `${content.prefix}data/`,
      name: manifest.name,
      found: others.length === 0 ? 'no media file' : `${listed.join(', ')}${more}`,
    });
  }
  return video;
}

/**
 * size = |range(start, min(stop + 1, length), step)| and stop clamped to the last kept frame, as
 * CVAT's task creation computes them (a stop_frame of 0 means "to the end" there). A range that
 * reaches past the video, or jobs past the kept frames, mean task.json and the video disagree:
 * CVAT would quietly shorten the task and lose those jobs' annotations, so we refuse instead.
 */
export function videoFrames(content: TaskContent, manifest: VideoManifest, range: FrameRange): VideoFrames {
  const { length } = manifest;
  const fail = (problem: string): never => {
    throw new AppError('BACKUP_VIDEO_FRAMES_MISMATCH', {
      entry: `${content.prefix}task.json`,
      problem,
      length,
    });
  };
  const stop = range.stop ? range.stop : length - 1;
  if (range.start >= length) fail(`start_frame ${range.start} is not a frame of the video`);
  if (stop < range.start) fail(`stop_frame ${stop} comes before start_frame ${range.start}`);
  if (stop >= length) fail(`stop_frame ${stop} is past the video's last frame (${length - 1})`);
  const size = Math.floor((stop - range.start) / range.step) + 1;
  const lastJobFrame = Math.max(-1, ...content.meta.jobs.map((j) => j.stop_frame));
  if (lastJobFrame >= size) fail(`a job ends at frame ${lastJobFrame}, but the task has ${size} frames`);
  return { size, stopFrame: range.start + (size - 1) * range.step };
}

/** The video-specific part of the task's data row. */
export function videoData(
  file: ArchiveFile,
  manifest: VideoManifest,
  frames: VideoFrames,
  chunkType: 'imageset' | 'video',
): Pick<
  NewData,
  'size' | 'stop_frame' | 'compressed_chunk_type' | 'original_chunk_type' | 'media_type' | 'video'
> {
  return {
    size: frames.size,
    stop_frame: frames.stopFrame,
    // CVAT: original chunks of a video task are always video; compressed ones are zips of images
    // when the task was made with use_zip_chunks, which the archive says as chunk_type "imageset".
    compressed_chunk_type: chunkType,
    original_chunk_type: 'video',
    media_type: 'video',
    video: { path: file.path, width: manifest.width, height: manifest.height, byte_size: file.size },
  };
}

/**
 * An archive without a manifest: CVAT rebuilds a video's manifest by decoding the video, which this
 * server cannot do (no video decoder in its runtime). Names that reason rather than the generic one.
 */
export function refuseVideoWithoutManifest(content: TaskContent): void {
  const video = content.media.find((f) => isVideoPath(f.path));
  if (video)
    throw new AppError('BACKUP_VIDEO_MANIFEST_MISSING', { entry: `${content.prefix}data/${video.path}` });
}
