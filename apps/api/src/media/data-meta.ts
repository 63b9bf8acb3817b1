import type { DataRecord, DataRepository } from '@cvat-backup/catalog';

/**
 * CVAT's `DataMetaRead` as JSON text, streamed: `frames` comes from a cursor over the images, so a
 * task with a million frames is answered at flat memory.
 */
export async function* dataMetaJson(repo: DataRepository, data: DataRecord): AsyncIterable<string> {
  const head = {
    chapters: null,
    chunks_updated_date: data.chunks_updated_date.toISOString(),
    chunk_size: data.chunk_size,
    size: data.size,
    image_quality: data.image_quality,
    start_frame: data.start_frame,
    stop_frame: data.stop_frame,
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
    for await (const image of repo.images(data.id)) {
      batch.push(frameJson(image.path, image.width, image.height, image.related_files.length));
      if (batch.length >= 1000) yield flush();
    }
  }
  if (batch.length) yield flush();
  const tail = {
    deleted_frames: data.deleted_frames,
    included_frames: null,
    storage: data.storage,
    cloud_storage_id: data.cloud_storage_id,
  };
  yield `],${JSON.stringify(tail).slice(1)}`;
}

function frameJson(name: string, width: number, height: number, related: number): string {
  return JSON.stringify({ width, height, name, related_files: related, has_related_context: related !== 0 });
}
