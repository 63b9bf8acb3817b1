import type { DataRecord, DataRepository } from '@cvat-backup/catalog';

/** A job's part of the task's frames (task-relative), for a job's `data/meta`. */
export interface FrameScope {
  start: number;
  stop: number;
  /** Specific frames (ground-truth jobs); null for a range. */
  frames: number[] | null;
}

/**
 * CVAT's `DataMetaRead` as JSON text, streamed: `frames` comes from a cursor over the images, so a
 * task with a million frames is answered at flat memory. With a `scope` it describes one job's frames:
 * `start_frame`/`stop_frame` in source numbering, `included_frames` for specific-frame jobs.
 */
export async function* dataMetaJson(
  repo: DataRepository,
  data: DataRecord,
  scope?: FrameScope,
): AsyncIterable<string> {
  const step = data.frame_filter ? Number(data.frame_filter.slice(5)) : 1;
  const head = {
    chapters: null,
    chunks_updated_date: data.chunks_updated_date.toISOString(),
    chunk_size: data.chunk_size,
    size: scope ? (scope.frames?.length ?? scope.stop - scope.start + 1) : data.size,
    image_quality: data.image_quality,
    start_frame: scope ? data.start_frame + scope.start * step : data.start_frame,
    stop_frame: scope ? data.start_frame + scope.stop * step : data.stop_frame,
    frame_filter: data.frame_filter,
  };
  yield `${JSON.stringify(head).slice(0, -1)},"frames":[`;
  let batch: string[] = [];
  let first = true;
  const flush = () => {
    const text = (first ? '' : ',') + batch.join(',');
    first = false;
    batch = [];
    return text;
  };
  if (data.media_type === 'video') {
    const video = await repo.video(data.id);
    if (video) batch.push(frameJson(video.path, video.width, video.height, 0));
  } else {
    const range = scope ? { from: scope.start, to: scope.stop } : {};
    const only = scope?.frames ? new Set(scope.frames) : null;
    for await (const image of repo.images(data.id, range)) {
      if (only && !only.has(image.frame)) continue;
      batch.push(frameJson(image.path, image.width, image.height, image.related_files.length));
      if (batch.length >= 1000) yield flush();
    }
  }
  if (batch.length) yield flush();
  const tail = {
    deleted_frames: scope
      ? data.deleted_frames.filter((f) => f >= scope.start && f <= scope.stop)
      : data.deleted_frames,
    included_frames: scope?.frames ?? null,
    storage: data.storage,
    cloud_storage_id: data.cloud_storage_id,
  };
  yield `],${JSON.stringify(tail).slice(1)}`;
}

function frameJson(name: string, width: number, height: number, related: number): string {
  return JSON.stringify({ width, height, name, related_files: related, has_related_context: related !== 0 });
}
