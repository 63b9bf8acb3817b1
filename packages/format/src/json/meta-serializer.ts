import type { Attribute, Label, Sublabel } from '../schema/label.schema.js';
import type { ProjectMeta } from '../schema/project-meta.schema.js';
import type { Job, TaskData, TaskMeta } from '../schema/task-meta.schema.js';
import { drfJson, pick } from './cvat-json.js';

/** Key orders of CVAT's serializers after `backup.py`'s allow-lists (format doc §3, §5). */
const ATTRIBUTE_KEYS = ['name', 'mutable', 'input_type', 'default_value', 'values'] as const;
const SUBLABEL_KEYS = ['name', 'color', 'attributes', 'type'] as const;
const DATA_KEYS = [
  'chunk_size',
  'image_quality',
  'start_frame',
  'stop_frame',
  'frame_filter',
  'storage_method',
  'sorting_method',
  'chunk_type',
  'deleted_frames',
  'custom_segments',
  'validation_layout',
  'storage',
] as const;
const VALIDATION_LAYOUT_KEYS = ['mode', 'frames_per_job_count', 'frames'] as const;
const JOB_KEYS = ['status', 'type', 'start_frame', 'stop_frame', 'frames', 'files'] as const;

function attribute(a: Attribute) {
  return pick(a, ATTRIBUTE_KEYS);
}

function sublabel(s: Sublabel) {
  return { ...pick(s, SUBLABEL_KEYS), attributes: s.attributes.map(attribute) };
}

/** `svg` comes last: DRF skips it for plain labels and appends it for skeletons. */
export function serializeLabel(label: Label) {
  const out: Record<string, unknown> = {
    name: label.name,
    color: label.color,
    attributes: label.attributes.map(attribute),
    type: label.type,
    sublabels: label.sublabels.map(sublabel),
  };
  if (label.type === 'skeleton' && label.svg !== undefined) out['svg'] = label.svg;
  return out;
}

function data(d: TaskData) {
  const out: Record<string, unknown> = pick(d as TaskData & { frame_filter?: string }, DATA_KEYS);
  if (d.validation_layout) out['validation_layout'] = pick(d.validation_layout, VALIDATION_LAYOUT_KEYS);
  if ('frame_filter' in out && !out['frame_filter']) delete out['frame_filter'];
  return out;
}

function job(j: Job) {
  return pick(j, JOB_KEYS);
}

/** What the caller gives for `task.json`; `version` is added by the writer. */
export type TaskMetaInput = Omit<TaskMeta, 'version'>;
/** What the caller gives for `project.json`; `version` is added by the writer. */
export type ProjectMetaInput = Omit<ProjectMeta, 'version'>;

/** `task.json` bytes: `name, bug_tracker, status, subset, labels, [consensus_replicas], version, data, jobs`. */
export function serializeTaskMeta(meta: TaskMetaInput): Buffer {
  const out: Record<string, unknown> = {
    name: meta.name,
    bug_tracker: meta.bug_tracker,
    status: meta.status,
    subset: meta.subset,
    labels: meta.labels.map(serializeLabel),
  };
  if (meta.consensus_replicas !== undefined) out['consensus_replicas'] = meta.consensus_replicas;
  out['version'] = '1.0';
  out['data'] = data(meta.data);
  out['jobs'] = meta.jobs.map(job);
  return Buffer.from(drfJson(out), 'utf8');
}

/** `project.json` bytes: `name, bug_tracker, status, labels, version`. */
export function serializeProjectMeta(meta: ProjectMetaInput): Buffer {
  return Buffer.from(
    drfJson({
      name: meta.name,
      bug_tracker: meta.bug_tracker,
      status: meta.status,
      labels: meta.labels.map(serializeLabel),
      version: '1.0',
    }),
    'utf8',
  );
}
