/**
 * Valid archives the fuzz suites start from: what this project writes (task with images,
 * annotations, guide and integrity manifest; project with two tasks) and what CVAT writes (2022-era
 * JSON, deflated entries, and the same archive with forced ZIP64 records).
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { ProjectArchiveInput } from '../../archive/archive-input.js';
import { writeProjectArchive, writeTaskArchive } from '../../archive/archive-writer.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  EXTRA_ZIP64,
  MAX_16,
  MAX_32,
  SIG_EOCD,
} from '../../zip/zip-format.js';
import { zip64EndRecord, zip64Locator } from '../../zip/zip-records.js';
import { composeZip } from '../raw-zip.js';
import { annotations2022Json, newestTask, task2022Json } from '../samples.js';
import { collect } from '../temp-dir.js';
import { zipLayout } from './zip-layout.js';

export interface SeedArchive {
  name: string;
  bytes: Buffer;
}

const now = new Date(2025, 2, 1, 14, 5, 10);

async function written(write: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const [bytes] = await Promise.all([collect(out), write(out)]);
  return bytes;
}

export function newestTaskArchive(): Promise<Buffer> {
  return written((out) => writeTaskArchive(out, newestTask(), { now, integrity: true }));
}

/** A lightweight backup: media stay in a cloud storage, the archive holds only their manifest. */
export function lightweightTaskArchive(): Promise<Buffer> {
  const input = newestTask();
  input.data = { ...input.data, storage: 'cloud_storage' };
  input.media = input.media.filter((m) => m.path === 'manifest.jsonl');
  return written((out) => writeTaskArchive(out, input, { now }));
}

export function twoTaskProjectArchive(): Promise<Buffer> {
  const first = newestTask();
  const second = newestTask();
  second.task = { ...second.task, name: 'second' };
  delete second.guide;
  const input: ProjectArchiveInput = {
    project: { name: 'Projet ü', bug_tracker: '', status: 'annotation', labels: first.task.labels },
    guide: {
      markdown: 'project guide ![x](/api/assets/p1)',
      assets: [{ id: 'p1', filename: 'x.png', open: async () => Readable.from([Buffer.from('x')]) }],
    },
    tasks: [
      { index: 0, task: first },
      { index: 2, task: second },
    ],
  };
  return written((out) => writeProjectArchive(out, input, { now }));
}

/** The ten frames task2022Json's jobs cover (a restore refuses a job beyond the task's frames). */
const CVAT_FRAMES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const CVAT_MANIFEST =
  '{"version":"1.1"}\n{"type":"images"}\n' +
  CVAT_FRAMES.map(
    (i) => `{"name":"images/frame_${i}","extension":".jpg","width":8,"height":6,"checksum":"c${i}"}`,
  ).join('\n') +
  '\n';

/** A 2022-era task as CVAT's zipfile writes it, with deflated entries (CVAT stores; others deflate). */
export function cvatDeflatedArchive(): Buffer {
  return composeZip([
    ...CVAT_FRAMES.map((i) => ({ name: `data/images/frame_${i}.jpg`, data: Buffer.alloc(700 + i, i + 1) })),
    { name: 'data/manifest.jsonl', data: CVAT_MANIFEST, deflate: true },
    { name: 'task.json', data: JSON.stringify(task2022Json), deflate: true },
    { name: 'annotations.json', data: JSON.stringify(annotations2022Json), deflate: true },
  ]);
}

/**
 * The same archive with every size and offset moved into ZIP64 extra fields and ZIP64 end records
 * (what a writer that always uses ZIP64 produces), so mutations reach the ZIP64 parsing paths.
 */
export function asZip64(zip: Buffer): Buffer {
  const layout = zipLayout(zip);
  const records = layout.centralRecords.map((r, i) => {
    const old = zip.subarray(r.start, r.end);
    const nameLength = old.readUInt16LE(28);
    const extraLength = old.readUInt16LE(30);
    const wide = Buffer.alloc(28);
    wide.writeUInt16LE(EXTRA_ZIP64, 0);
    wide.writeUInt16LE(24, 2);
    wide.writeBigUInt64LE(BigInt(old.readUInt32LE(24)), 4);
    wide.writeBigUInt64LE(BigInt(old.readUInt32LE(20)), 12);
    wide.writeBigUInt64LE(BigInt(layout.localHeaders[i]!.start), 20);
    const head = Buffer.from(old.subarray(0, CENTRAL_HEADER_SIZE));
    head.writeUInt32LE(MAX_32, 20);
    head.writeUInt32LE(MAX_32, 24);
    head.writeUInt32LE(MAX_32, 42);
    head.writeUInt16LE(extraLength + wide.length, 30);
    const nameAndExtra = old.subarray(CENTRAL_HEADER_SIZE, CENTRAL_HEADER_SIZE + nameLength + extraLength);
    return Buffer.concat([
      head,
      nameAndExtra,
      wide,
      old.subarray(CENTRAL_HEADER_SIZE + nameLength + extraLength),
    ]);
  });
  const cdOffset = layout.centralRecords[0]!.start;
  const cd = Buffer.concat(records);
  const end = Buffer.alloc(EOCD_SIZE);
  end.writeUInt32LE(SIG_EOCD, 0);
  end.writeUInt16LE(MAX_16, 8);
  end.writeUInt16LE(MAX_16, 10);
  end.writeUInt32LE(MAX_32, 12);
  end.writeUInt32LE(MAX_32, 16);
  return Buffer.concat([
    zip.subarray(0, cdOffset),
    cd,
    zip64EndRecord(records.length, cd.length, cdOffset),
    zip64Locator(cdOffset + cd.length),
    end,
  ]);
}

export async function formatSeeds(): Promise<SeedArchive[]> {
  const cvat = cvatDeflatedArchive();
  return [
    { name: 'newest task', bytes: await newestTaskArchive() },
    { name: 'two-task project', bytes: await twoTaskProjectArchive() },
    { name: 'lightweight task', bytes: await lightweightTaskArchive() },
    { name: 'CVAT 2022 deflated', bytes: cvat },
    { name: 'CVAT 2022 ZIP64', bytes: asZip64(cvat) },
  ];
}
