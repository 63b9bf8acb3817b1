import type { ProjectRecord } from '@cvat-backup/catalog';
import { basicUser } from './user.serializer.js';

/** CVAT's `ProjectRead`. */
export function serializeProject(base: string, p: ProjectRecord) {
  return {
    url: `${base}/api/projects/${p.id}`,
    id: p.id,
    name: p.name,
    owner: basicUser(base, p.owner),
    assignee: basicUser(base, p.assignee),
    guide_id: p.guide_id,
    bug_tracker: p.bug_tracker,
    task_subsets: p.task_subsets,
    created_date: p.created_date.toISOString(),
    updated_date: p.updated_date.toISOString(),
    status: p.status,
    dimension: p.dimension,
    organization: p.organization_id,
    organization_id: p.organization_id,
    target_storage: p.target_storage,
    source_storage: p.source_storage,
    tasks: { count: p.tasks_count, url: `${base}/api/tasks?project_id=${p.id}` },
    labels: { url: `${base}/api/labels?project_id=${p.id}` },
    assignee_updated_date: p.assignee_updated_date?.toISOString() ?? null,
  };
}
