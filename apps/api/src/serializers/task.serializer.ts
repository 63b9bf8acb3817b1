import type { TaskRecord } from '@cvat-backup/catalog';
import { basicUser } from './user.serializer.js';

/** CVAT's `TaskRead`; the `data_*` chunk keys and `image_quality` are omitted before data. */
export function serializeTask(base: string, t: TaskRecord) {
  const hasData = t.data !== null;
  return {
    url: `${base}/api/tasks/${t.id}`,
    id: t.id,
    name: t.name,
    project_id: t.project_id,
    project_name: t.project_name,
    owner: basicUser(base, t.owner),
    assignee: basicUser(base, t.assignee),
    bug_tracker: t.bug_tracker,
    created_date: t.created_date.toISOString(),
    updated_date: t.updated_date.toISOString(),
    overlap: t.overlap,
    segment_size: t.segment_size,
    status: t.status,
    ...(hasData
      ? {
          data_chunk_size: t.data_chunk_size,
          data_original_chunk_type: t.data_original_chunk_type,
          data_compressed_chunk_type: t.data_compressed_chunk_type,
        }
      : {}),
    data_cloud_storage_id: t.data_cloud_storage_id,
    guide_id: t.guide_id,
    size: t.size,
    ...(hasData && t.image_quality !== null ? { image_quality: t.image_quality } : {}),
    data: t.data,
    dimension: t.dimension,
    mode: t.mode,
    media_type: t.media_type,
    subset: t.subset,
    organization_id: t.organization_id,
    organization: t.organization_id,
    target_storage: t.target_storage,
    source_storage: t.source_storage,
    jobs: { ...t.jobs, url: `${base}/api/jobs?task_id=${t.id}` },
    labels: { url: `${base}/api/labels?task_id=${t.id}` },
    assignee_updated_date: t.assignee_updated_date?.toISOString() ?? null,
    validation_mode: t.validation_mode,
    consensus_enabled: t.consensus_replicas > 0,
  };
}
