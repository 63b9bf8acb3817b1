import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { inlineDisposition } from './guides.routes.js';

describe('annotation guides and their assets', () => {
  let api: TestApi;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let guideId: number;
  let taskId: number;
  // Larger than one streamed slice (256 KiB), so the chunks must come back whole and in order.
  const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), randomBytes(600 * 1024)]);
  let pngUuid: string;
  let pdfUuid: string;

  beforeAll(async () => {
    api = await openTestApi();
    [admin, alice, bob] = await Promise.all([api.user({ admin: true }), api.user(), api.user()]);
    // What a restore writes (task-importer's restoreGuide): the guide, its assets, markdown linking them.
    const task = await api.catalog.tasks.create({ id: alice.id, isAdmin: false }, { name: 'guided' });
    taskId = task.id;
    const guide = await api.catalog.guides.save({ taskId }, '');
    guideId = guide.id;
    const guides = api.catalog.guides;
    pngUuid = (await guides.addAsset(guideId, { filename: 'a.png', content_type: 'image/png', content: png }))
      .uuid;
    pdfUuid = (
      await guides.addAsset(guideId, {
        filename: 'Schéma.pdf',
        content_type: 'application/pdf',
        content: Buffer.from('%PDF-1.4'),
      })
    ).uuid;
    await guides.save({ taskId }, `# Rules\n![](/api/assets/${pngUuid})\n[scan](/api/assets/${pdfUuid})`);
  });
  afterAll(async () => api?.close());

  it('serves the guide in CVAT’s AnnotationGuideRead shape to its owner and to an admin', async () => {
    for (const user of [alice, admin]) {
      const res = await user.call({ method: 'GET', url: `/api/guides/${guideId}` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(
        ['created_date', 'id', 'markdown', 'project_id', 'task_id', 'updated_date'].sort(),
      );
      expect(body).toMatchObject({ id: guideId, task_id: taskId, project_id: null });
      expect(body.markdown).toContain(`/api/assets/${pngUuid}`);
      expect(new Date(body.updated_date).getTime()).toBeGreaterThanOrEqual(
        new Date(body.created_date).getTime(),
      );
    }
    const task = (await alice.call({ method: 'GET', url: `/api/tasks/${taskId}` })).json();
    expect(task.guide_id).toBe(guideId);
  });

  it('answers 404 to another user, for the guide and for its assets', async () => {
    const guide = await bob.call({ method: 'GET', url: `/api/guides/${guideId}` });
    expect(guide.statusCode).toBe(404);
    expect(guide.json().code).toBe('NOT_FOUND');
    expect((await bob.call({ method: 'GET', url: `/api/assets/${pngUuid}` })).statusCode).toBe(404);
    expect((await bob.call({ method: 'GET', url: '/api/guides/424242' })).statusCode).toBe(404);
  });

  it('downloads an asset’s bytes with its stored content type, inline as CVAT sends it', async () => {
    for (const user of [alice, admin]) {
      const res = await user.call({ method: 'GET', url: `/api/assets/${pngUuid}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['content-length']).toBe(String(png.length));
      expect(res.headers['content-disposition']).toBe('inline; filename="a.png"');
      expect(res.rawPayload.equals(png)).toBe(true);
    }
    const pdf = await alice.call({ method: 'GET', url: `/api/assets/${pdfUuid.toUpperCase()}` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.toString()).toBe('%PDF-1.4');
    expect(pdf.headers['content-disposition']).toBe(
      `inline; filename="Schema.pdf"; filename*=UTF-8''Sch%C3%A9ma.pdf`,
    );
  });

  it('answers 404 for an unknown or malformed asset id, and 401 without credentials', async () => {
    const unknown = await alice.call({
      method: 'GET',
      url: '/api/assets/00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('NOT_FOUND');
    expect((await alice.call({ method: 'GET', url: '/api/assets/not-a-uuid' })).statusCode).toBe(404);
    const anonymous = await api.app.inject({ method: 'GET', url: `/api/assets/${pngUuid}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('creates one guide per task for its owner (POST /api/guides), as CVAT does', async () => {
    const task = await api.catalog.tasks.create({ id: alice.id, isAdmin: false }, { name: 'new' });
    const theirs = await bob.call({
      method: 'POST',
      url: '/api/guides',
      payload: { task_id: task.id, markdown: 'x' },
    });
    expect(theirs.statusCode).toBe(404);
    const created = await alice.call({
      method: 'POST',
      url: '/api/guides',
      payload: { task_id: task.id, markdown: '# New' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ task_id: task.id, project_id: null, markdown: '# New' });
    const again = await alice.call({
      method: 'POST',
      url: '/api/guides',
      payload: { task_id: task.id, markdown: 'replaced?' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('VALIDATION_FAILED');
    const kept = await alice.call({ method: 'GET', url: `/api/guides/${created.json().id}` });
    expect(kept.json().markdown).toBe('# New');
    const both = await alice.call({
      method: 'POST',
      url: '/api/guides',
      payload: { task_id: task.id, project_id: 1 },
    });
    expect(both.statusCode).toBe(400);
    expect(both.body).toContain('Both project_id and task_id must not be specified');
    const none = await alice.call({ method: 'POST', url: '/api/guides', payload: { markdown: 'x' } });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('One of project_id or task_id must be specified');
  });

  it('deletes a guide with its assets for its owner only (DELETE /api/guides/{id})', async () => {
    const task = await api.catalog.tasks.create({ id: alice.id, isAdmin: false }, { name: 'gone' });
    const guide = await api.catalog.guides.save({ taskId: task.id }, 'bye');
    const asset = await api.catalog.guides.addAsset(guide.id, { filename: 'x.png', content: png });
    expect((await bob.call({ method: 'DELETE', url: `/api/guides/${guide.id}` })).statusCode).toBe(404);
    expect((await alice.call({ method: 'GET', url: `/api/guides/${guide.id}` })).statusCode).toBe(200);
    expect((await alice.call({ method: 'DELETE', url: `/api/guides/${guide.id}` })).statusCode).toBe(204);
    expect((await alice.call({ method: 'GET', url: `/api/guides/${guide.id}` })).statusCode).toBe(404);
    expect((await alice.call({ method: 'GET', url: `/api/assets/${asset.uuid}` })).statusCode).toBe(404);
    const after = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).json();
    expect(after.guide_id).toBeNull();
  });

  it('reduces the download name as django-sendfile2 does', () => {
    expect(inlineDisposition('plain name.png')).toBe('inline; filename="plain name.png"');
    expect(inlineDisposition('日本.png')).toBe(
      `inline; filename=".png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`,
    );
    expect(inlineDisposition('a"b\r\n.png')).toBe('inline; filename="a\\"b.png"');
  });
});
