import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importMediaPrefix } from '@cvat-backup/backup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('deleting tasks removes their media wherever they are', () => {
  let api: TestApi;
  let alice: TestUser;
  beforeAll(async () => {
    api = await openTestApi();
    alice = await api.user();
  });
  afterAll(async () => api?.close());

  const owner = () => ({ id: alice.id, isAdmin: false });

  /** A task as a restore leaves it: media under `imports/<hash>/raw/`, named by its data row. */
  async function restoredTask(prefix: string, projectId?: number): Promise<number> {
    const task = await api.catalog.tasks.create(owner(), {
      name: 'restored',
      ...(projectId === undefined ? { labels: [{ name: 'car' }] } : { project_id: projectId }),
    });
    await api.catalog.data.create(task.id, { image_quality: 70, storage: 'local', media_prefix: prefix });
    for (const name of ['a.jpg', 'sub/b.jpg']) {
      const file = path.join(api.mediaRoot, prefix, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, name);
    }
    return task.id;
  }

  const remove = async (url: string) =>
    expect((await alice.call({ method: 'DELETE', url })).statusCode).toBe(204);
  const folder = (prefix: string) => path.join(api.mediaRoot, prefix);

  it('a restored task: its imports/ folder goes, another restore’s stays', async () => {
    const mine = importMediaPrefix('rq-delete-mine#');
    const theirs = importMediaPrefix('rq-delete-theirs#');
    const id = await restoredTask(mine);
    await restoredTask(theirs);
    await remove(`/api/tasks/${id}`);
    expect(await filesUnder(folder(mine))).toEqual([]);
    expect(await filesUnder(folder(theirs))).toEqual(['a.jpg', 'sub/b.jpg']);
  });

  it('media another task still uses are kept until the last one goes', async () => {
    const shared = importMediaPrefix('rq-delete-shared#');
    const first = await restoredTask(shared);
    const second = await api.catalog.tasks.create(owner(), { name: 'twin', labels: [{ name: 'car' }] });
    await api.catalog.data.create(second.id, { image_quality: 70, storage: 'local', media_prefix: shared });
    await remove(`/api/tasks/${first}`);
    expect(await filesUnder(folder(shared))).toEqual(['a.jpg', 'sub/b.jpg']);
    await remove(`/api/tasks/${second.id}`);
    expect(await filesUnder(folder(shared))).toEqual([]);
  });

  it('deleting a project removes the media of its restored tasks', async () => {
    const project = await api.catalog.projects.create(owner(), { name: 'p', labels: [{ name: 'car' }] });
    const prefixes = [importMediaPrefix('rq-project#task_0/'), importMediaPrefix('rq-project#task_1/')];
    for (const prefix of prefixes) await restoredTask(prefix, project.id);
    await remove(`/api/projects/${project.id}`);
    for (const prefix of prefixes) expect(await filesUnder(folder(prefix))).toEqual([]);
  });

  it('a task whose media are in a cloud storage leaves a local folder of the same name alone', async () => {
    const prefix = importMediaPrefix('rq-delete-cloud#');
    const local = await restoredTask(prefix);
    const cloud = await api.catalog.tasks.create(owner(), { name: 'cloud', labels: [{ name: 'car' }] });
    await api.catalog.data.create(cloud.id, {
      image_quality: 70,
      storage: 'cloud_storage',
      media_prefix: prefix,
    });
    await remove(`/api/tasks/${cloud.id}`);
    expect(await filesUnder(folder(prefix))).toEqual(['a.jpg', 'sub/b.jpg']);
    await remove(`/api/tasks/${local}`);
    expect(await filesUnder(folder(prefix))).toEqual([]);
  });
});
