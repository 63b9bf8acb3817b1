import type { JobRecord } from '@cvat-backup/catalog';
import { basicUser } from './user.serializer.js';

/** CVAT's `JobRead`. */
export function serializeJob(base: string, j: JobRecord) {
  return {
    url: `${base}/api/jobs/${j.id}`,
    id: j.id,
    task_id: j.task_id,
    task_name: j.task_name,
    project_id: j.project_id,
    project_name: j.project_name,
    assignee: basicUser(base, j.assignee),
    guide_id: j.guide_id,
    dimension: j.dimension,
    mode: j.mode,
    media_type: j.media_type,
    bug_tracker: j.bug_tracker,
    status: j.status,
    stage: j.stage,
    state: j.state,
    frame_count: j.frame_count,
    start_frame: j.start_frame,
    stop_frame: j.stop_frame,
    data_chunk_size: j.data_chunk_size,
    data_compressed_chunk_type: j.data_compressed_chunk_type,
    data_original_chunk_type: j.data_original_chunk_type,
    created_date: j.created_date.toISOString(),
    updated_date: j.updated_date.toISOString(),
    issues: { url: `${base}/api/issues?job_id=${j.id}`, count: 0 },
    labels: { url: `${base}/api/labels?job_id=${j.id}` },
    type: j.type,
    organization: j.organization_id,
    target_storage: j.target_storage,
    source_storage: j.source_storage,
    assignee_updated_date: j.assignee_updated_date?.toISOString() ?? null,
    parent_job_id: j.parent_job_id,
    consensus_replicas: j.replicas_count,
    replicas_count: j.replicas_count,
  };
}
