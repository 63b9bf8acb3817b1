import {
  checkDataFields,
  checkGuideMarkdown,
  checkNewLabels,
  checkResourceFields,
  checkSegment,
  type GuideRepository,
  type JobContext,
  type LabelInfo,
  type NewData,
  validateItem,
} from '@cvat-backup/catalog';
import type { ArchiveGuide, Label, ProjectMeta, TaskContent } from '@cvat-backup/format';
import { dataFields } from './catalog-data.js';
import { segmentGeometry, segmentsOf } from './catalog-jobs.js';
import { type IdEntry, LabelIds, toLabelInputs } from './catalog-labels.js';
import { assetFilename, checkGuideAssets } from './guide-assets.js';

/**
 * The catalog's own rules, run on a backup before its media are copied: whatever the restore's
 * transaction would refuse (CATALOG_INVALID_VALUE, CATALOG_ANNOTATION_INVALID) is refused here, with
 * the same code, by the same functions the repositories call. Media of a big task take minutes to
 * hours to copy; a refusal after the copy wasted them.
 */

/**
 * The rows a task's restore creates before its annotations: task fields, data fields (with the video
 * row of a video task, as createTask will write it) and segments.
 */
export function checkTaskRows(content: TaskContent, videoRow?: Partial<NewData>): void {
  const { meta } = content;
  checkResourceFields({ ...meta, ...segmentGeometry(meta.jobs, meta.data.custom_segments === true) });
  const where = { prefix: '', lightweight: meta.data.storage === 'cloud_storage' };
  checkDataFields({ ...dataFields(meta, where, videoRow !== undefined), ...videoRow });
  for (const segment of segmentsOf(meta.jobs)) checkSegment(segment);
}

/** A guide and its assets as CVAT and the catalog take them (the asset size limit is the catalog's setting). */
export function checkGuide(guides: GuideRepository, guide: ArchiveGuide | undefined): void {
  if (!guide) return;
  checkGuideMarkdown(guide.markdown);
  checkGuideAssets(guide);
  for (const asset of guide.assets) guides.checkAsset({ filename: assetFilename(asset), size: asset.size });
}

/** Labels a restore creates: those of a task backup restored on its own. */
export function checkArchiveLabels(labels: readonly Label[]): void {
  checkNewLabels(toLabelInputs(labels));
}

/** The project row and labels a project backup's restore creates. */
export function checkProjectRows(project: ProjectMeta): void {
  checkResourceFields(project);
  checkArchiveLabels(project.labels);
}

/**
 * Ids made up on first sight of a name, registered where the catalog's rules look labels up. The
 * reader already checked every name against the labels the annotations will be restored with, so
 * made-up ids carry the same parentage and attributes as the real ones will.
 */
class ProvisionalLabelIds extends LabelIds {
  readonly labels = new Map<number, LabelInfo>();
  #next = 1;

  constructor() {
    super([]);
  }

  #entry(parentId: number | null): IdEntry {
    const id = this.#next++;
    this.labels.set(id, { parentId, attributeIds: new Set() });
    return { id, attributes: new Map(), sublabels: new Map() };
  }

  protected override label(name: string): IdEntry {
    const known = this.byName.get(name);
    if (known) return known;
    const entry = this.#entry(null);
    this.byName.set(name, entry);
    return entry;
  }

  protected override sublabel(parent: IdEntry, _parentName: string, name: string): IdEntry {
    const known = parent.sublabels.get(name);
    if (known) return known;
    const entry = this.#entry(parent.id);
    parent.sublabels.set(name, entry);
    return entry;
  }

  protected override attributeId(entry: IdEntry, name: string): number {
    let id = entry.attributes.get(name);
    if (id === undefined) {
      id = this.#next++;
      entry.attributes.set(name, id);
      this.labels.get(entry.id)!.attributeIds.add(id);
    }
    return id;
  }
}

/**
 * Reads the task's annotations once, streaming (one object in memory at a time), through the
 * archive's own checks (the reader's) and the catalog's: each object is shaped into the item the
 * restore will write and checked against its job as the job will be created. Replaces the reader's
 * validateAnnotations pass: one read, not two.
 */
export async function checkAnnotations(content: TaskContent): Promise<void> {
  const ids = new ProvisionalLabelIds();
  const entry = `${content.prefix}annotations.json`;
  // One context per job, as createSegments will create them: in archive order, segment by segment.
  const segments = segmentsOf(content.meta.jobs).flatMap((s) => (s.jobs ?? [{}]).map(() => s));
  const contexts = segments.map(
    (segment, i): JobContext => ({
      jobId: i,
      jobName: `${i} of ${entry}`,
      taskId: 0,
      startFrame: segment.start_frame,
      stopFrame: segment.stop_frame,
      frames: segment.frames ? new Set(segment.frames) : null,
      labels: ids.labels,
    }),
  );
  let index = 0;
  for await (const event of content.annotations()) {
    if (event.kind === 'job-start') index = 0;
    if (event.kind === 'job-start' || event.kind === 'job-end') continue;
    const ctx = contexts[event.job];
    // The reader yields nothing for arrays beyond the jobs (CVAT pairs them with zip): a guard only.
    if (ctx) validateItem(ctx, ids.item(event.kind, event.value), index++);
  }
}
