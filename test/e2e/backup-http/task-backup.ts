import { testServices } from '@cvat-backup/testkit';
import { expect } from 'vitest';
import { png } from '../../../apps/api/test/test-images.js';
import type { HttpUser } from './backup-api.js';

/** Images of distinct sizes, so every frame's bytes differ. */
export const IMAGES = [png(4, 4), png(5, 3), png(6, 2)];

export async function json(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return text ? JSON.parse(text) : {};
}

/** Registers an S3 bucket of the emulator as the user's cloud storage; answers its id. */
export async function registerS3Storage(
  user: HttpUser,
  bucket: string,
  displayName = 'bucket',
): Promise<number> {
  const info = testServices().s3;
  const storage = await json(
    await user.call('/api/cloudstorages', {
      method: 'POST',
      json: {
        provider_type: 'AWS_S3_BUCKET',
        resource: bucket,
        display_name: displayName,
        credentials_type: 'KEY_SECRET_KEY_PAIR',
        key: info.accessKeyId,
        secret_key: info.secretAccessKey,
        specific_attributes: `endpoint_url=${encodeURIComponent(info.endpoint)}&region=${info.region}`,
      },
    }),
    201,
  );
  return storage.id as number;
}

/** A task with three uploaded images and one rectangle, through the HTTP API. */
export async function createLocalTask(user: HttpUser, name: string, projectId?: number): Promise<number> {
  const task = await json(
    await user.call('/api/tasks', {
      method: 'POST',
      json: projectId ? { name, project_id: projectId } : { name, labels: [{ name: 'car' }] },
    }),
    201,
  );
  const form = new FormData();
  form.set('image_quality', '70');
  for (const [i, img] of IMAGES.entries()) form.set(`client_files[${i}]`, new Blob([img]), `img_${i}.png`);
  await json(await user.call(`/api/tasks/${task.id}/data`, { method: 'POST', body: form }), 202);
  await annotate(user, task.id as number);
  return task.id as number;
}

export async function annotate(user: HttpUser, taskId: number): Promise<void> {
  const labels = await json(await user.call(`/api/labels?task_id=${taskId}`), 200);
  const label = (labels.results as Array<{ id: number }>)[0]!;
  const shape = {
    label_id: label.id,
    type: 'rectangle',
    frame: 1,
    group: 0,
    source: 'manual',
    occluded: false,
    outside: false,
    z_order: 0,
    rotation: 0,
    points: [1, 2, 3, 4],
    attributes: [],
    elements: [],
  };
  await json(
    await user.call(`/api/tasks/${taskId}/annotations`, {
      method: 'PUT',
      json: { version: 0, tags: [], shapes: [shape], tracks: [] },
    }),
    200,
  );
}

/** The restored task equals the original where a user looks: name, size, annotations, frame bytes. */
export async function expectSameTask(user: HttpUser, original: number, restored: number): Promise<void> {
  const [a, b] = await Promise.all(
    [original, restored].map(async (id) => json(await user.call(`/api/tasks/${id}`), 200)),
  );
  expect(b!.id).not.toBe(a!.id);
  expect({ name: b!.name, size: b!.size }).toEqual({ name: a!.name, size: a!.size });
  const shapes = await json(await user.call(`/api/tasks/${restored}/annotations`), 200);
  expect(shapes.shapes).toMatchObject([{ type: 'rectangle', frame: 1, points: [1, 2, 3, 4] }]);
  for (let frame = 0; frame < IMAGES.length; frame++) {
    const res = await user.call(`/api/tasks/${restored}/data?type=frame&number=${frame}&quality=original`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(IMAGES[frame]);
  }
}
