/**
 * The same CLI commands for projects, and for a cloud storage as the backup's target and the
 * restore's source (S3 emulator), against the API and a real worker process.
 */

import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTask, expectSameTask, json, registerS3Storage } from '../backup-http/task-backup.js';
import { type CliSystem, login, openCliSystem } from './cli-system.js';

describe('cvat-backup for projects and cloud storages', () => {
  let system: CliSystem;
  let bucket: TestBucket | undefined;

  beforeAll(async () => {
    system = await openCliSystem();
    await login(system);
  });

  afterAll(async () => {
    await system?.close();
    await bucket?.remove().catch(() => undefined);
  });

  it('backs up a project with its task, verifies it, and restores it as a new project', async () => {
    const { user, home } = system;
    const project = await json(
      await user.call('/api/projects', {
        method: 'POST',
        json: { name: 'cli project', labels: [{ name: 'car' }] },
      }),
      201,
    );
    const task = await createLocalTask(user, 'in the project', project.id as number);
    const archive = path.join(home.dir, 'project.zip');
    const backup = await home.json([
      'project',
      'backup',
      String(project.id),
      '-o',
      archive,
      '--no-lightweight',
    ]);
    expect(backup).toMatchObject({ target: 'project', id: project.id, location: 'local', file: archive });
    const verified = await home.json(['verify', archive]);
    expect(verified).toMatchObject({ valid: true, kind: 'project', name: 'cli project' });
    expect(verified.tasks).toMatchObject([{ name: 'in the project', media: 3, shapes: 1 }]);
    expect(await home.json(['verify', archive, '--kind', 'project'])).toMatchObject({ kind: 'project' });
    expect((await home.json(['verify', archive, '--kind', 'task'], 6)).error).toMatchObject({
      code: 'ARCHIVE_IS_PROJECT',
    });

    const restored = await home.json(['project', 'restore', archive]);
    expect(restored).toMatchObject({ target: 'project', id: expect.any(Number) });
    expect(restored.id).not.toBe(project.id);
    const tasks = await json(await user.call(`/api/tasks?project_id=${restored.id}`), 200);
    const copies = tasks.results as Array<{ id: number; name: string }>;
    expect(copies.map((t) => t.name)).toEqual(['in the project']);
    await expectSameTask(user, task, copies[0]!.id);
  });

  it('backs up a task into an S3 bucket and restores it from the key', async () => {
    const { user, home } = system;
    bucket = await createS3Bucket();
    const storageId = await registerS3Storage(user, bucket.name, 'cli bucket');
    const task = await createLocalTask(user, 'to the bucket');
    const target = `cloud:${storageId}`;
    const backup = await home.json([
      'task',
      'backup',
      String(task),
      '--target',
      target,
      '--out',
      'cli-copy.zip',
    ]);
    expect(backup).toEqual({
      target: 'task',
      id: task,
      rq_id: expect.any(String),
      location: 'cloud_storage',
      cloud_storage_id: storageId,
      filename: 'cli-copy.zip',
    });
    const client = s3Client(testServices().s3);
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: 'cli-copy.zip' }));
      expect(head.ContentLength).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
    const restored = await home.json(['task', 'restore', `${target}:cli-copy.zip`]);
    expect(restored).toMatchObject({ source: { cloud_storage_id: storageId, key: 'cli-copy.zip' } });
    await expectSameTask(user, task, restored.id as number);
    const missing = await home.json(['task', 'restore', `${target}:no-such-key.zip`], 4);
    expect(missing.error).toEqual({ code: 'STORAGE_OBJECT_NOT_FOUND', message: expect.any(String) });
  });
});
