/**
 * Backup and restore end to end through the built API process and worker processes (issue 6), each
 * against a reference on the same bytes in the same run:
 *
 * 1. full backup of a local task (BENCH_LOCAL_FILES × BENCH_FILE_MIB, default 1,024 × 2 MiB) vs
 *    `zip -0 -r` of its media folder; worker peak RSS for the small task (BENCH_SMALL_FILES, 100) vs the
 *    large one;
 * 2. full backup of a cloud task (BENCH_CLOUD_FILES, 192 objects in the S3 emulator) to an S3 target vs
 *    the raw SDK copying the same objects into one multipart upload;
 * 3. restore of both archives through the API vs `unzip` + a plain insert through the catalog;
 * 4. lightweight vs full backup of the cloud task.
 *
 * Every side runs BENCH_RUNS times (default 3; restores BENCH_RESTORE_RUNS, 2), alternating, and keeps
 * its best time; each API run has a fresh worker process, whose VmHWM is that job's peak. Local tasks
 * are laid out on disk and recorded through the catalog (see bench-tasks.ts); everything measured goes
 * through the API.
 * BENCH_CPU_PROF_DIR writes CPU profiles of the processes. Prints a table, writes `.bench/worker.json`,
 * deletes every task, archive, bucket and database it made.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { deriveCredentialsKey, PgCatalog } from '@cvat-backup/catalog';
import { createS3Bucket, s3Client, testServices } from '@cvat-backup/testkit';
import pg from 'pg';
import { login } from './api-client.js';
import { type ApiRun, backupRun, load1, restoreFromCloudRun, restoreFromFileRun } from './api-runs.js';
import { repoRoot, startSystem } from './bench-processes.js';
import { printReport, type Row, round, summarize } from './bench-report.js';
import { createCloudStorage, createCloudTask, createLocalTask, putCloudMedia } from './bench-tasks.js';
import { rawS3Copy, restoreReference, zipReference } from './references.js';

const MiB = 1024 * 1024;
const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const cfg = {
  largeFiles: int('BENCH_LOCAL_FILES', 1024),
  smallFiles: int('BENCH_SMALL_FILES', 100),
  cloudFiles: int('BENCH_CLOUD_FILES', 192),
  fileBytes: int('BENCH_FILE_MIB', 2) * MiB,
  shapesPerFrame: int('BENCH_SHAPES_PER_FRAME', 20),
  runs: int('BENCH_RUNS', 3),
  restoreRuns: int('BENCH_RESTORE_RUNS', 2),
};
const out = path.join(repoRoot, '.bench', 'worker.json');
const started = Date.now();
const log = (what: string) =>
  console.error(
    `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s, load ${loadavg()[0]!.toFixed(2)}] ${what}`,
  );
const best = (runs: ApiRun[]) => runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));

const sys = await startSystem();
const s3 = s3Client(testServices().s3);
const bucket = await createS3Bucket();
const work = path.join(sys.dataRoot, 'bench');
await mkdir(work, { recursive: true });
const pool = new pg.Pool({ connectionString: sys.databaseUrl, max: 2 });
const catalog = new PgCatalog(pool, { credentialsKey: deriveCredentialsKey(sys.secretKey) });
try {
  const api = await login(sys.base);
  const actor = { id: api.userId, isAdmin: true };
  const mib = (files: number) => (files * cfg.fileBytes) / MiB;

  log(`creating the local tasks (${mib(cfg.smallFiles)} and ${mib(cfg.largeFiles)} MiB)`);
  const setup = { api, catalog, actor, dataRoot: sys.dataRoot };
  const small = await createLocalTask(
    setup,
    'bench small',
    cfg.smallFiles,
    cfg.fileBytes,
    cfg.shapesPerFrame,
  );
  const large = await createLocalTask(
    setup,
    'bench large',
    cfg.largeFiles,
    cfg.fileBytes,
    cfg.shapesPerFrame,
  );
  log(`putting ${mib(cfg.cloudFiles)} MiB into the S3 emulator and creating the cloud task`);
  const keys = await putCloudMedia(s3, bucket.name, cfg.cloudFiles, cfg.fileBytes);
  const storage = await createCloudStorage(api, bucket.name, testServices().s3);
  const cloud = await createCloudTask(api, 'bench cloud', storage, keys, cfg.shapesPerFrame);

  const mediaDir = async (taskId: number) => {
    const dir = path.join(sys.dataRoot, 'media', 'tasks', String(taskId));
    const [upload] = await readdir(dir);
    return path.join(dir, upload!);
  };
  /** Moves the local archive of a task out of the archive store (so the next run builds a new one). */
  const takeArchive = async (taskId: number, to: string) => {
    const dir = path.join(sys.dataRoot, 'archives', `task-${taskId}`);
    const [zip] = (await readdir(dir)).filter((f) => f.endsWith('.zip'));
    await rename(path.join(dir, zip!), to);
    return (await stat(to)).size;
  };
  const largeArchive = path.join(work, 'large.zip');

  const rows: Row[] = [];
  const runs = Array.from({ length: cfg.runs }, (_, i) => i);

  // 1. Local backups: large (timed against zip -0 -r) and small (for the flat-memory comparison).
  for (const [label, taskId] of [
    ['small', small],
    ['large', large],
  ] as const) {
    const dir = await mediaDir(taskId);
    const zips: Array<{ zipMs: number; zipFsyncMs: number }> = [];
    const apiRuns: ApiRun[] = [];
    let size = 0;
    for (const i of runs) {
      log(`${label} local task: zip -0 -r, run ${i + 1}`);
      zips.push(await zipReference(dir, path.join(work, 'reference.zip')));
      log(`${label} local task: backup through the API, run ${i + 1}`);
      apiRuns.push(await backupRun(sys, api, taskId));
      size = await takeArchive(taskId, label === 'large' ? largeArchive : path.join(work, 'small.zip'));
    }
    rows.push(
      summarize(`local backup, ${label} task`, mib(label === 'large' ? cfg.largeFiles : cfg.smallFiles), {
        api: apiRuns,
        referenceName: 'zip -0 -r',
        referenceMs: Math.min(...zips.map((z) => z.zipMs)),
        extra: { zipPlusFsyncMs: Math.min(...zips.map((z) => z.zipFsyncMs)), archiveBytes: size },
      }),
    );
  }
  await rm(path.join(work, 'small.zip'), { force: true });

  // 2 + 4. Cloud backups to the S3 target, full (vs the raw SDK copy) and lightweight.
  const target = (name: string, lightweight: boolean) =>
    `location=cloud_storage&cloud_storage_id=${storage}&filename=${name}&lightweight=${lightweight}`;
  const objectSize = async (Key: string) =>
    (await s3.send(new HeadObjectCommand({ Bucket: bucket.name, Key }))).ContentLength ?? 0;
  const raw: number[] = [];
  const full: ApiRun[] = [];
  const light: ApiRun[] = [];
  for (const i of runs) {
    log(`cloud task: raw SDK copy, run ${i + 1}`);
    raw.push((await rawS3Copy(s3, bucket.name, keys, 'bench-raw-copy.bin')).ms);
    log(`cloud task: full backup to S3 through the API, run ${i + 1}`);
    full.push(await backupRun(sys, api, cloud, target('bench-full.zip', false)));
    log(`cloud task: lightweight backup to S3 through the API, run ${i + 1}`);
    light.push(await backupRun(sys, api, cloud, target('bench-light.zip', true)));
  }
  const fullBytes = await objectSize('bench-full.zip');
  const lightBytes = await objectSize('bench-light.zip');
  rows.push(
    summarize('cloud backup to S3, full', mib(cfg.cloudFiles), {
      api: full,
      referenceName: 'raw SDK GETs + 1 multipart upload',
      referenceMs: Math.min(...raw),
      extra: { archiveBytes: fullBytes },
    }),
    summarize('cloud backup to S3, lightweight', mib(cfg.cloudFiles), {
      api: light,
      referenceName: 'full backup through the API',
      referenceMs: best(full).wallMs,
      extra: { archiveBytes: lightBytes, fullArchiveBytes: fullBytes },
    }),
  );

  // 3. Restores through the API: the large local archive (uploaded) and the cloud one (from its key).
  for (const [label, from] of [
    ['local archive, multipart upload', { file: largeArchive }],
    ['cloud archive, from its S3 key', { key: 'bench-full.zip' }],
  ] as const) {
    const refs: Array<{ fetchMs: number; unzipMs: number; insertMs: number }> = [];
    const apiRuns: ApiRun[] = [];
    for (let i = 0; i < cfg.restoreRuns; i++) {
      log(`restore of the ${label}: unzip + plain insert, run ${i + 1}`);
      refs.push(
        await restoreReference(
          catalog,
          actor,
          work,
          'file' in from ? from : { s3, bucket: bucket.name, key: from.key },
        ),
      );
      log(`restore of the ${label}: through the API, run ${i + 1}`);
      apiRuns.push(
        'file' in from
          ? await restoreFromFileRun(sys, api, from.file)
          : await restoreFromCloudRun(sys, api, storage, from.key),
      );
    }
    const total = (r: (typeof refs)[number]) => r.fetchMs + r.unzipMs + r.insertMs;
    const ref = refs.reduce((a, b) => (total(b) < total(a) ? b : a));
    rows.push(
      summarize(`restore, ${label}`, 'file' in from ? (await stat(from.file)).size / MiB : fullBytes / MiB, {
        api: apiRuns,
        referenceName: 'file' in from ? 'unzip + plain insert' : 'raw GET + unzip + plain insert',
        referenceMs: total(ref),
        extra: { ...ref },
      }),
    );
  }

  const [smallRow, largeRow, fullRow, lightRow] = rows;
  const memory = {
    smallTaskMiB: smallRow!.mib,
    largeTaskMiB: largeRow!.mib,
    smallPeakMiB: smallRow!.workerPeakMiB,
    largePeakMiB: largeRow!.workerPeakMiB,
    growthMiB: round(largeRow!.workerPeakMiB - smallRow!.workerPeakMiB, 1),
    goalMiB: 32,
  };
  const lightweight = {
    fullSeconds: round(fullRow!.best.wallMs / 1000, 2),
    lightweightSeconds: round(lightRow!.best.wallMs / 1000, 2),
    fullArchiveBytes: fullBytes,
    lightweightArchiveBytes: lightBytes,
  };
  const report = {
    machine: {
      cpus: cpus().length,
      load1AtEnd: await load1(),
      minutes: round((Date.now() - started) / 60_000, 1),
    },
    config: cfg,
    rows,
    memory,
    lightweight,
  };
  printReport(rows);
  console.log(
    `worker peak RSS: ${memory.smallPeakMiB} MiB for the ${memory.smallTaskMiB} MiB task, ${memory.largePeakMiB} MiB for the ${memory.largeTaskMiB} MiB task: ${memory.growthMiB >= 0 ? '+' : ''}${memory.growthMiB} MiB (goal: within ${memory.goalMiB} MiB)`,
  );
  console.log(
    `cloud task, full vs lightweight backup: ${lightweight.fullSeconds} s / ${(fullBytes / MiB).toFixed(1)} MiB vs ${lightweight.lightweightSeconds} s / ${(lightBytes / 1024).toFixed(1)} KiB`,
  );
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${out}`);
} finally {
  await pool.end();
  // Single deletes: s3rver has answered the batch DeleteObjects with InternalError (see the e2e suites).
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket.name, ContinuationToken: token }))
      .catch(() => undefined);
    for (const o of page?.Contents ?? [])
      await s3.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: o.Key })).catch(() => undefined);
    token = page?.NextContinuationToken;
  } while (token);
  await bucket.remove().catch((err) => console.error('bucket cleanup:', err));
  s3.destroy();
  await sys.close();
}
