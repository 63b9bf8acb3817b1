/**
 * The hostile-archive corpus: every way a backup can be unsafe or broken that the reader must
 * refuse, each with the error code it must produce. Generated from code at test time (see
 * `write-hostile-corpus.ts` to write it out as files); no binary is kept in the repository.
 */
import type { ErrorCode } from '@cvat-backup/common';
import type { OpenBackupOptions } from '../archive/backup-reader.js';
import { composeZip, type RawEntry } from './raw-zip.js';

export interface HostileCase {
  name: string;
  /** What the archive gets wrong, in words. */
  attack: string;
  code: ErrorCode;
  /** How the restore opens it. Default: as a task. */
  options?: OpenBackupOptions;
  build(): Buffer;
}

const labels = [
  {
    name: 'car',
    color: '#fa3253',
    attributes: [{ name: 'model', mutable: false, input_type: 'text', default_value: '', values: [] }],
    type: 'any',
    sublabels: [],
  },
  {
    name: 'person',
    color: '#33ddff',
    attributes: [],
    type: 'skeleton',
    sublabels: [{ name: 'nose', color: '#d12345', attributes: [], type: 'points' }],
    svg: '<circle data-label-name="nose"></circle>',
  },
];

const taskJson = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: 't',
    bug_tracker: '',
    status: 'annotation',
    subset: '',
    labels,
    version: '1.0',
    data: {
      chunk_size: 10,
      image_quality: 70,
      start_frame: 0,
      stop_frame: 1,
      storage_method: 'cache',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
      deleted_frames: [],
      storage: 'local',
    },
    jobs: [{ status: 'annotation', type: 'annotation', start_frame: 0, stop_frame: 1 }],
    ...patch,
  });

const shape = (label: string, extra: Record<string, unknown> = {}) => ({
  type: 'rectangle',
  occluded: false,
  outside: false,
  z_order: 0,
  rotation: 0,
  points: [1, 2, 3, 4],
  frame: 0,
  group: 0,
  source: 'manual',
  attributes: [],
  label,
  ...extra,
});

const annotationsJson = (jobs: unknown[] = [{ version: 0, tags: [], shapes: [shape('car')], tracks: [] }]) =>
  JSON.stringify(jobs);

const MANIFEST = '{"version":"1.1"}\n{"type":"images"}\n{"name":"images/0","extension":".jpg"}\n';

function task(
  overrides: { task?: string; annotations?: string; extra?: RawEntry[]; prefix?: string } = {},
): RawEntry[] {
  const p = overrides.prefix ?? '';
  return [
    { name: `${p}data/images/0.jpg`, data: 'jpeg bytes' },
    { name: `${p}data/manifest.jsonl`, data: MANIFEST },
    { name: `${p}task.json`, data: overrides.task ?? taskJson() },
    { name: `${p}annotations.json`, data: overrides.annotations ?? annotationsJson() },
    ...(overrides.extra ?? []),
  ];
}

const asProject: OpenBackupOptions = { expect: 'project' };
const projectJson = JSON.stringify({
  name: 'p',
  bug_tracker: '',
  status: 'annotation',
  labels,
  version: '1.0',
});
const SYMLINK = (0o120777 << 16) >>> 0;
const zeros = Buffer.alloc(20 << 20);

export const HOSTILE_CASES: HostileCase[] = [
  // Paths
  {
    name: 'traversal-data',
    attack: 'data/../../ climbs out of the upload dir',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data/../../evil.sh', data: 'x' }] })),
  },
  {
    name: 'traversal-root',
    attack: 'a leading ../',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: '../evil.sh', data: 'x' }] })),
  },
  {
    name: 'traversal-deep',
    attack: '.. in the middle of a media path',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data/images/../../../../etc/cron.d/x', data: 'x' }] })),
  },
  {
    name: 'absolute-path',
    attack: 'an absolute path',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: '/etc/passwd', data: 'x' }] })),
  },
  {
    name: 'backslash-path',
    attack: 'Windows separators hiding a traversal',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data\\..\\..\\evil.exe', data: 'x' }] })),
  },
  {
    name: 'drive-letter',
    attack: 'a drive-letter path',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'C:/Windows/evil.dll', data: 'x' }] })),
  },
  {
    name: 'nul-in-name',
    attack: 'a NUL byte truncating the name on disk',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data/a.jpg\u0000.txt', data: 'x' }] })),
  },
  {
    name: 'dot-segment',
    attack: 'a ./ segment (name aliasing)',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data/./images/0.jpg', data: 'x' }] })),
  },
  {
    name: 'empty-segment',
    attack: 'a // segment (name aliasing)',
    code: 'ARCHIVE_UNSAFE_PATH',
    build: () => composeZip(task({ extra: [{ name: 'data//images/1.jpg', data: 'x' }] })),
  },
  {
    name: 'symlink-entry',
    attack: 'a symbolic link to /etc',
    code: 'ARCHIVE_SYMLINK',
    build: () =>
      composeZip(task({ extra: [{ name: 'data/images/link', data: '/etc', externalAttributes: SYMLINK }] })),
  },
  {
    name: 'symlink-then-write',
    attack: 'a link followed by a file written through it',
    code: 'ARCHIVE_SYMLINK',
    build: () =>
      composeZip(
        task({
          extra: [
            { name: 'data/out', data: '../../', externalAttributes: SYMLINK },
            { name: 'data/out/evil', data: 'x' },
          ],
        }),
      ),
  },
  {
    name: 'non-utf8-name',
    attack: 'a name that is not UTF-8',
    code: 'ARCHIVE_NAME_NOT_UTF8',
    build: () =>
      composeZip(
        task({
          extra: [{ name: Buffer.from([0x64, 0x61, 0x74, 0x61, 0x2f, 0xff, 0xfe, 0x2e, 0x6a]), data: 'x' }],
        }),
      ),
  },
  // Duplicates
  {
    name: 'duplicate-task-json',
    attack: 'two task.json entries (which one is restored?)',
    code: 'ARCHIVE_DUPLICATE_ENTRY',
    build: () => composeZip(task({ extra: [{ name: 'task.json', data: taskJson({ name: 'other' }) }] })),
  },
  {
    name: 'duplicate-media',
    attack: 'the same media path twice',
    code: 'ARCHIVE_DUPLICATE_ENTRY',
    build: () => composeZip(task({ extra: [{ name: 'data/images/0.jpg', data: 'other' }] })),
  },
  // Bombs and limits
  {
    name: 'too-many-entries',
    attack: 'more entries than allowed',
    code: 'ARCHIVE_TOO_MANY_ENTRIES',
    options: { limits: { maxEntries: 50 } },
    build: () =>
      composeZip(task({ extra: Array.from({ length: 60 }, (_, i) => ({ name: `data/f${i}`, data: '' })) })),
  },
  {
    name: 'too-large-total',
    attack: 'more uncompressed bytes than allowed',
    code: 'ARCHIVE_TOO_LARGE',
    options: { limits: { maxTotalSize: 1 << 20 } },
    build: () => composeZip(task({ extra: [{ name: 'data/big.bin', data: Buffer.alloc(2 << 20, 1) }] })),
  },
  {
    name: 'ratio-bomb',
    attack: '20 MiB of zeros deflated to a few KiB',
    code: 'ARCHIVE_COMPRESSION_RATIO',
    build: () => composeZip(task({ extra: [{ name: 'data/bomb.bin', data: zeros, deflate: true }] })),
  },
  {
    name: 'lying-size-bomb',
    attack: 'declares 1 KiB, inflates to 20 MiB',
    code: 'ARCHIVE_CORRUPT',
    build: () =>
      composeZip(task({ extra: [{ name: 'data/liar.bin', data: zeros, deflate: true, size: 1024 }] })),
  },
  {
    name: 'overlapping-entries',
    attack: 'two entries sharing one payload (overlap bomb)',
    code: 'ARCHIVE_CORRUPT',
    build: () =>
      composeZip(
        task({
          extra: [
            { name: 'data/a.bin', data: 'payload' },
            { name: 'data/b.bin', data: 'payload', sameOffsetAs: 4 },
          ],
        }),
      ),
  },
  {
    name: 'json-too-large',
    attack: 'a task.json above the configured limit',
    code: 'ARCHIVE_ENTRY_TOO_LARGE',
    options: { maxJsonBytes: 256 },
    build: () => composeZip(task({ task: taskJson({ bug_tracker: 'x'.repeat(1000) }) })),
  },
  {
    name: 'annotation-item-too-large',
    attack: 'one shape larger than the item limit',
    code: 'ARCHIVE_JSON_MALFORMED',
    options: { maxItemBytes: 1024 },
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([
            {
              version: 0,
              tags: [],
              shapes: [shape('car', { points: Array.from({ length: 2000 }, () => 1) })],
              tracks: [],
            },
          ]),
        }),
      ),
  },
  // Integrity
  {
    name: 'crc-mismatch-media',
    attack: 'a media entry whose bytes do not match its CRC',
    code: 'ARCHIVE_CRC_MISMATCH',
    build: () =>
      composeZip(task({ extra: [{ name: 'data/images/1.jpg', data: 'tampered', crc: 0x12345678 }] })),
  },
  {
    name: 'crc-mismatch-task-json',
    attack: 'task.json altered after zipping',
    code: 'ARCHIVE_CRC_MISMATCH',
    build: () => composeZip(task().map((e) => (e.name === 'task.json' ? { ...e, crc: 1 } : e))),
  },
  {
    name: 'checksum-manifest-mismatch',
    attack: 'content replaced consistently with its CRC but not with the SHA-256 manifest',
    code: 'ARCHIVE_CHECKSUM_MISMATCH',
    build: () =>
      composeZip(
        task({ extra: [{ name: 'checksums.sha256', data: `${'0'.repeat(64)}  data/images/0.jpg\n` }] }),
      ),
  },
  {
    name: 'local-header-mismatch',
    attack: 'the local header names a different file than the directory',
    code: 'ARCHIVE_CORRUPT',
    build: () =>
      composeZip(task({ extra: [{ name: 'data/images/1.jpg', localName: 'data/images/X.jpg', data: 'x' }] })),
  },
  {
    name: 'stored-size-mismatch',
    attack: 'a stored entry whose sizes disagree',
    code: 'ARCHIVE_CORRUPT',
    build: () => composeZip(task({ extra: [{ name: 'data/images/1.jpg', data: 'abc', size: 10 }] })),
  },
  {
    name: 'deflate-garbage',
    attack: 'deflate data that does not decompress',
    code: 'ARCHIVE_CORRUPT',
    build: () =>
      composeZip(
        task({
          extra: [
            {
              name: 'data/images/1.jpg',
              data: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]),
              method: 8,
              size: 100,
            },
          ],
        }),
      ),
  },
  // Truncation
  {
    name: 'truncated-half',
    attack: 'the upload stopped half-way',
    code: 'ARCHIVE_TRUNCATED',
    build: () => {
      const z = composeZip(task());
      return z.subarray(0, Math.floor(z.length / 2));
    },
  },
  {
    name: 'truncated-tail',
    attack: 'the last bytes (end record) are missing',
    code: 'ARCHIVE_TRUNCATED',
    build: () => {
      const z = composeZip(task());
      return z.subarray(0, z.length - 10);
    },
  },
  { name: 'empty-file', attack: 'an empty upload', code: 'ARCHIVE_TRUNCATED', build: () => Buffer.alloc(0) },
  {
    name: 'not-a-zip',
    attack: 'a text file renamed .zip',
    code: 'ARCHIVE_TRUNCATED',
    build: () => Buffer.from('this is not a zip archive, it is a note\n'.repeat(10)),
  },
  {
    name: 'directory-offset-out-of-range',
    attack: 'an end record pointing past the file',
    code: 'ARCHIVE_TRUNCATED',
    build: () => composeZip(task(), { declaredOffset: 0x7fffffff }),
  },
  {
    name: 'directory-count-too-high',
    attack: 'an end record promising more entries than exist',
    code: 'ARCHIVE_CORRUPT',
    build: () => composeZip(task(), { declaredCount: 40 }),
  },
  // Zip features we refuse
  {
    name: 'encrypted-zipcrypto',
    attack: 'a password-protected entry',
    code: 'ARCHIVE_ENCRYPTED',
    build: () => composeZip(task({ extra: [{ name: 'data/secret.jpg', data: 'x', flags: 0x0801 }] })),
  },
  {
    name: 'encrypted-aes',
    attack: 'a WinZip AES entry (method 99)',
    code: 'ARCHIVE_ENCRYPTED',
    build: () => composeZip(task({ extra: [{ name: 'data/secret.jpg', data: 'x', method: 99 }] })),
  },
  {
    name: 'bzip2-method',
    attack: 'an entry compressed with bzip2',
    code: 'ARCHIVE_COMPRESSION_UNSUPPORTED',
    build: () => composeZip(task({ extra: [{ name: 'data/images/1.jpg', data: 'x', method: 12 }] })),
  },
  // Kind
  {
    name: 'project-as-task',
    attack: 'a project backup sent to the task restore',
    code: 'ARCHIVE_IS_PROJECT',
    build: () => composeZip([{ name: 'project.json', data: projectJson }, ...task({ prefix: 'task_0/' })]),
  },
  {
    name: 'task-as-project',
    attack: 'a task backup sent to the project restore',
    code: 'ARCHIVE_IS_TASK',
    options: asProject,
    build: () => composeZip(task()),
  },
  {
    name: 'not-a-backup',
    attack: 'a zip of photos, no task.json or project.json',
    code: 'ARCHIVE_NOT_A_BACKUP',
    build: () => composeZip([{ name: 'photos/1.jpg', data: 'x' }]),
  },
  // Version and JSON
  {
    name: 'unknown-version',
    attack: 'a future format version',
    code: 'ARCHIVE_VERSION_UNSUPPORTED',
    build: () => composeZip(task({ task: taskJson({ version: '2.0' }) })),
  },
  {
    name: 'missing-version',
    attack: 'task.json without version',
    code: 'ARCHIVE_VERSION_UNSUPPORTED',
    build: () => composeZip(task({ task: taskJson({ version: undefined }) })),
  },
  {
    name: 'project-unknown-version',
    attack: 'project.json with a future version',
    code: 'ARCHIVE_VERSION_UNSUPPORTED',
    options: asProject,
    build: () =>
      composeZip([
        { name: 'project.json', data: projectJson.replace('"1.0"', '"1.1"') },
        ...task({ prefix: 'task_0/' }),
      ]),
  },
  {
    name: 'malformed-task-json',
    attack: 'task.json cut short',
    code: 'ARCHIVE_JSON_MALFORMED',
    build: () => composeZip(task({ task: taskJson().slice(0, 40) })),
  },
  {
    name: 'malformed-annotations',
    attack: 'annotations.json cut short',
    code: 'ARCHIVE_JSON_MALFORMED',
    build: () => composeZip(task({ annotations: annotationsJson().slice(0, -3) })),
  },
  {
    name: 'task-json-not-object',
    attack: 'task.json is an array',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () => composeZip(task({ task: '[1,2]' })),
  },
  {
    name: 'schema-missing-jobs',
    attack: 'task.json without jobs',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () => composeZip(task({ task: taskJson({ jobs: undefined }) })),
  },
  {
    name: 'schema-unknown-storage',
    attack: 'data.storage is not local/share/cloud_storage',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () => composeZip(task({ task: taskJson({ data: { image_quality: 70, storage: 'nfs' } }) })),
  },
  {
    name: 'schema-duplicate-labels',
    attack: 'two labels with the same name',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () => composeZip(task({ task: taskJson({ labels: [labels[0], labels[0]] }) })),
  },
  {
    name: 'schema-bad-shape',
    attack: 'a shape whose points are a string',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([
            { version: 0, tags: [], shapes: [shape('car', { points: '1,2' })], tracks: [] },
          ]),
        }),
      ),
  },
  {
    name: 'lightweight-with-media',
    attack: 'a lightweight backup that also carries media files',
    code: 'ARCHIVE_SCHEMA_INVALID',
    build: () =>
      composeZip(task({ task: taskJson({ data: { image_quality: 70, storage: 'cloud_storage' } }) })),
  },
  // Missing parts
  {
    name: 'missing-annotations',
    attack: 'no annotations.json',
    code: 'ARCHIVE_MISSING_ENTRY',
    build: () => composeZip(task().filter((e) => e.name !== 'annotations.json')),
  },
  {
    name: 'project-task-without-task-json',
    attack: 'a task_1/ folder without task.json',
    code: 'ARCHIVE_MISSING_ENTRY',
    options: asProject,
    build: () =>
      composeZip([
        { name: 'project.json', data: projectJson },
        ...task({ prefix: 'task_0/' }),
        { name: 'task_1/data/x.jpg', data: 'x' },
      ]),
  },
  // References
  {
    name: 'unknown-label',
    attack: 'a shape labelled with a label the task does not have',
    code: 'ARCHIVE_UNKNOWN_LABEL',
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([{ version: 0, tags: [], shapes: [shape('truck')], tracks: [] }]),
        }),
      ),
  },
  {
    name: 'unknown-tag-label',
    attack: 'a tag with an unknown label',
    code: 'ARCHIVE_UNKNOWN_LABEL',
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([
            {
              version: 0,
              tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'nope' }],
              shapes: [],
              tracks: [],
            },
          ]),
        }),
      ),
  },
  {
    name: 'unknown-skeleton-element',
    attack: 'a skeleton element with a sublabel the skeleton lacks',
    code: 'ARCHIVE_UNKNOWN_LABEL',
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([
            {
              version: 0,
              tags: [],
              shapes: [
                shape('person', {
                  type: 'skeleton',
                  points: [],
                  elements: [shape('tail', { type: 'points', points: [1, 1] })],
                }),
              ],
              tracks: [],
            },
          ]),
        }),
      ),
  },
  {
    name: 'unknown-project-label',
    attack: 'a project task annotating with a label the project lacks',
    code: 'ARCHIVE_UNKNOWN_LABEL',
    options: asProject,
    build: () =>
      composeZip([
        { name: 'project.json', data: projectJson },
        ...task({
          prefix: 'task_0/',
          annotations: annotationsJson([{ version: 0, tags: [], shapes: [shape('bus')], tracks: [] }]),
        }),
      ]),
  },
  {
    name: 'unknown-attribute',
    attack: 'an attribute the label does not define',
    code: 'ARCHIVE_UNKNOWN_ATTRIBUTE',
    build: () =>
      composeZip(
        task({
          annotations: annotationsJson([
            {
              version: 0,
              tags: [],
              shapes: [shape('car', { attributes: [{ name: 'speed', value: '9' }] })],
              tracks: [],
            },
          ]),
        }),
      ),
  },
  {
    name: 'skipped-job-too-deep',
    attack: 'an array beyond the jobs of task.json (which CVAT never reads) nested 100 000 levels deep',
    code: 'ARCHIVE_JSON_MALFORMED',
    build: () =>
      composeZip(
        task({
          annotations: `[${JSON.stringify({ version: 0, tags: [], shapes: [], tracks: [] })},${'['.repeat(100_000)}${']'.repeat(100_000)}]`,
        }),
      ),
  },
];
