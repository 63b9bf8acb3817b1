import { AppError } from '@cvat-backup/common';
import { type JobAnnotationsInput, serializeAnnotations } from '../json/annotations-writer.js';
import { serializeTaskMeta } from '../json/meta-serializer.js';
import { duplicateLabelProblem, type Label } from '../schema/label.schema.js';
import { describeIssues } from '../schema/schema-errors.js';
import { taskMetaSchema } from '../schema/task-meta.schema.js';
import { entryNameProblem } from '../zip/entry-name.js';
import { type EntrySource, isReadableFile } from '../zip/file-chunks.js';
import type { ZipWriter } from '../zip/zip-writer.js';
import type { FileInput, GuideInput, MediaInput, TaskArchiveInput } from './archive-input.js';
import { LabelIndex } from './label-index.js';
import { openAhead, openInput } from './open-ahead.js';

const invalid = (problems: string) => new AppError('FORMAT_INPUT_INVALID', { problems });

function checkName(name: string): void {
  const problem = entryNameProblem(name);
  if (problem) throw new AppError('FORMAT_ENTRY_NAME_INVALID', { entry: name, reason: problem });
}

function entryOptions(file: FileInput): { size?: number; mtime?: Date } {
  const options: { size?: number; mtime?: Date } = {};
  if (file.size !== undefined) options.size = file.size;
  if (file.mtime !== undefined) options.mtime = file.mtime;
  return options;
}

/** Adds one opened file: read by the writer when it is a local file, else streamed. */
async function addOpened(zip: ZipWriter, name: string, file: FileInput, source: EntrySource): Promise<void> {
  if (isReadableFile(source)) await zip.addFile(name, source, entryOptions(file));
  else await zip.addStream(name, source, entryOptions(file));
}

async function addFile(zip: ZipWriter, name: string, file: FileInput): Promise<void> {
  checkName(name);
  await addOpened(zip, name, file, await openInput(file));
}

/** Writes `assets/<filename>` entries, then `annotation_guide.md` with asset links rewritten. */
export async function writeGuide(
  zip: ZipWriter,
  prefix: string,
  guide: GuideInput,
  now: Date,
): Promise<void> {
  let markdown = guide.markdown;
  for await (const asset of guide.assets ?? []) {
    if (asset.filename.includes('/'))
      throw invalid(`guide asset file name "${asset.filename}" contains a slash`);
    const path = `${prefix}assets/${asset.filename}`;
    await addFile(zip, path, asset);
    markdown = markdown.replaceAll(`/api/assets/${asset.id}`, path);
  }
  await zip.addBuffer(`${prefix}annotation_guide.md`, Buffer.from(markdown, 'utf8'), { mtime: now });
}

/** Checks each job's items against the labels while they stream past, and counts jobs. */
async function* checkedJobs(
  jobs: AsyncIterable<JobAnnotationsInput> | Iterable<JobAnnotationsInput>,
  labels: readonly Label[],
  jobCount: number,
): AsyncGenerator<JobAnnotationsInput> {
  const index = new LabelIndex(labels);
  let job = 0;
  const wrap = async function* <T>(
    items: JobAnnotationsInput[keyof JobAnnotationsInput],
    check: (item: T) => void,
  ) {
    for await (const item of (items ?? []) as AsyncIterable<T>) {
      try {
        check(item);
      } catch (err) {
        // The same check guards restores; here it means the caller's data is inconsistent.
        throw invalid(`annotations: ${err instanceof Error ? err.message : String(err)}`);
      }
      yield item;
    }
  };
  for await (const input of jobs) {
    const n = job++;
    if (n >= jobCount)
      throw invalid(`annotations were given for job ${n}, but there are only ${jobCount} jobs`);
    const out: JobAnnotationsInput = {
      tags: wrap(input.tags, (t: Parameters<LabelIndex['checkTag']>[1]) => index.checkTag(n, t)),
      shapes: wrap(input.shapes, (s: Parameters<LabelIndex['checkShape']>[1]) => index.checkShape(n, s)),
      tracks: wrap(input.tracks, (t: Parameters<LabelIndex['checkTrack']>[1]) => index.checkTrack(n, t)),
    };
    if (input.version !== undefined) out.version = input.version;
    yield out;
  }
}

/**
 * Writes one task's entries under `prefix` (`""` or `task_<n>/`) in CVAT's order: `data/…`,
 * `task.json`, `annotations.json`, `assets/…`, `annotation_guide.md`. `labels` are what
 * annotations are checked against (the project's, inside a project backup).
 */
export async function writeTaskTree(
  zip: ZipWriter,
  prefix: string,
  input: TaskArchiveInput,
  now: Date,
  labels?: readonly Label[],
): Promise<void> {
  const parsed = taskMetaSchema.safeParse({
    ...input.task,
    version: '1.0',
    data: input.data,
    jobs: input.jobs,
  });
  if (!parsed.success) throw invalid(`task.json: ${describeIssues(parsed.error)}`);
  const meta = parsed.data;
  const duplicate = duplicateLabelProblem(meta.labels);
  if (duplicate) throw invalid(duplicate);
  const lightweight = meta.data.storage === 'cloud_storage';

  const accept = (media: MediaInput): boolean => {
    // CVAT neither writes nor reads the manifest's byte index.
    if (media.path === 'index.json') return false;
    if (lightweight && media.path !== 'manifest.jsonl') {
      throw invalid(
        `a lightweight backup (storage "cloud_storage") holds only data/manifest.jsonl, not "${media.path}"`,
      );
    }
    checkName(`${prefix}data/${media.path}`);
    return true;
  };
  for await (const { file, stream } of openAhead(input.media ?? [], accept)) {
    await addOpened(zip, `${prefix}data/${file.path}`, file, stream);
  }
  await zip.addBuffer(`${prefix}task.json`, serializeTaskMeta(meta), { mtime: now });
  await zip.addStream(
    `${prefix}annotations.json`,
    serializeAnnotations(checkedJobs(input.annotations, labels ?? meta.labels, meta.jobs.length)),
    { mtime: now },
  );
  if (input.guide) await writeGuide(zip, prefix, input.guide, now);
}
