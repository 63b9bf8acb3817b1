import type { Writable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import { serializeProjectMeta } from '../json/meta-serializer.js';
import { duplicateLabelProblem } from '../schema/label.schema.js';
import { projectMetaSchema } from '../schema/project-meta.schema.js';
import { describeIssues } from '../schema/schema-errors.js';
import { type WrittenEntry, ZipWriter } from '../zip/zip-writer.js';
import {
  type ArchiveWriteOptions,
  type ArchiveWriteResult,
  INTEGRITY_MANIFEST,
  type ProjectArchiveInput,
  type TaskArchiveInput,
} from './archive-input.js';
import { writeGuide, writeTaskTree } from './task-tree-writer.js';

function startZip(output: Writable, options: ArchiveWriteOptions) {
  const hashes: WrittenEntry[] = [];
  const zip = new ZipWriter(output, {
    sha256: options.integrity === true,
    defaultMtime: options.now ?? new Date(),
    endOutput: options.endOutput ?? true,
    onEntry: (entry, bytes) => {
      if (options.integrity)
        hashes.push({ name: entry.name, size: entry.size, crc32: entry.crc32, sha256: entry.sha256! });
      options.onProgress?.({ entries: zip.entryCount, bytes, entry: entry.name });
    },
  });
  const finish = async (): Promise<ArchiveWriteResult> => {
    if (options.integrity) {
      const lines = hashes.map((h) => `${h.sha256}  ${h.name}\n`).join('');
      await zip.addBuffer(INTEGRITY_MANIFEST, Buffer.from(lines, 'utf8'));
    }
    return zip.finish();
  };
  return { zip, finish, now: options.now ?? new Date() };
}

/**
 * Streams a CVAT task backup into `output` (any Writable: a file, a storage driver's atomic
 * upload). Media are stored as they are; `annotations.json` is produced while it is written.
 * The output is ended when the central directory is written; on failure nothing is ended and
 * the caller aborts the upload.
 */
export async function writeTaskArchive(
  output: Writable,
  input: TaskArchiveInput,
  options: ArchiveWriteOptions = {},
): Promise<ArchiveWriteResult> {
  const { zip, finish, now } = startZip(output, options);
  await writeTaskTree(zip, '', input, now);
  return finish();
}

/**
 * Streams a CVAT project backup: guide, `project.json`, then each task under `task_<index>/`.
 * Task annotations are checked against the project's labels (CVAT restores them with those).
 */
export async function writeProjectArchive(
  output: Writable,
  input: ProjectArchiveInput,
  options: ArchiveWriteOptions = {},
): Promise<ArchiveWriteResult> {
  const parsed = projectMetaSchema.safeParse({ ...input.project, version: '1.0' });
  if (!parsed.success)
    throw new AppError('FORMAT_INPUT_INVALID', { problems: `project.json: ${describeIssues(parsed.error)}` });
  const duplicate = duplicateLabelProblem(parsed.data.labels);
  if (duplicate) throw new AppError('FORMAT_INPUT_INVALID', { problems: duplicate });
  const { zip, finish, now } = startZip(output, options);
  if (input.guide) await writeGuide(zip, '', input.guide, now);
  await zip.addBuffer('project.json', serializeProjectMeta(parsed.data), { mtime: now });
  let last = -1;
  for await (const { index, task } of input.tasks) {
    if (!Number.isSafeInteger(index) || index <= last) {
      throw new AppError('FORMAT_INPUT_INVALID', {
        problems: `task index ${index} is not above the previous one (${last})`,
      });
    }
    last = index;
    await writeTaskTree(zip, `task_${index}/`, task, now, parsed.data.labels);
  }
  return finish();
}
