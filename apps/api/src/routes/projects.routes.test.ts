import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

export const skeletonLabels = [
  {
    name: 'car',
    type: 'rectangle',
    color: '#ff0000',
    attributes: [
      { name: 'color', mutable: false, input_type: 'select', default_value: 'red', values: ['red', 'blue'] },
      { name: 'parked', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false'] },
    ],
  },
  {
    name: 'person',
    type: 'skeleton',
    svg: '<line x1="10" y1="10" x2="20" y2="20" data-node-from="1" data-node-to="2"></line><circle r="1.5" cx="10" cy="10" data-label-name="head" data-node-id="1"></circle><circle r="1.5" cx="20" cy="20" data-label-name="hand" data-node-id="2"></circle>',
    sublabels: [
      { name: 'head', type: 'points', attributes: [] },
      {
        name: 'hand',
        type: 'points',
        attributes: [{ name: 'side', mutable: false, input_type: 'radio', values: ['left', 'right'] }],
      },
    ],
  },
];

describe('projects', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    api = await openTestApi();
    [alice, bob, admin] = await Promise.all([api.user(), api.user(), api.user({ admin: true })]);
  });
  afterAll(async () => api?.close());

  it('creates a project with attribute and skeleton labels and reads it back in CVAT’s shape', async () => {
    const res = await alice.call({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'cars', labels: skeletonLabels },
    });
    expect(res.statusCode).toBe(201);
    const project = res.json();
    expect(project).toMatchObject({
      url: `http://localhost/api/projects/${project.id}`,
      name: 'cars',
      owner: { id: alice.id, username: alice.username, url: `http://localhost/api/users/${alice.id}` },
      assignee: null,
      bug_tracker: '',
      status: 'annotation',
      tasks: { count: 0, url: `http://localhost/api/tasks?project_id=${project.id}` },
      labels: { url: `http://localhost/api/labels?project_id=${project.id}` },
    });
    const labels = (await alice.call({ method: 'GET', url: `/api/labels?project_id=${project.id}` })).json();
    expect(labels.count).toBe(2);
    const person = labels.results.find((l: { name: string }) => l.name === 'person');
    expect(person.type).toBe('skeleton');
    expect(person.sublabels.map((s: { name: string }) => s.name).sort()).toEqual(['hand', 'head']);
    expect(person.svg).toContain('data-label-id=');
    const car = labels.results.find((l: { name: string }) => l.name === 'car');
    expect(car.attributes[0]).toMatchObject({ name: 'color', input_type: 'select', values: ['red', 'blue'] });
    expect(car.project_id).toBe(project.id);
    expect(car).not.toHaveProperty('task_id');
  });

  it('lists with CVAT pagination, next/previous links and page_size=all', async () => {
    for (const name of ['p-a', 'p-b', 'p-c'])
      await bob.call({ method: 'POST', url: '/api/projects', payload: { name } });
    const first = (await bob.call({ method: 'GET', url: '/api/projects?page_size=2' })).json();
    expect(first.count).toBe(3);
    expect(first.results.map((p: { name: string }) => p.name)).toEqual(['p-c', 'p-b']);
    expect(first.previous).toBeNull();
    expect(first.next).toBe('http://localhost/api/projects?page_size=2&page=2');
    const second = (await bob.call({ method: 'GET', url: '/api/projects?page_size=2&page=2' })).json();
    expect(second.results.map((p: { name: string }) => p.name)).toEqual(['p-a']);
    expect(second.next).toBeNull();
    expect(second.previous).toBe('http://localhost/api/projects?page_size=2&page=1');
    const all = (await bob.call({ method: 'GET', url: '/api/projects?page_size=all&sort=name' })).json();
    expect(all.results.map((p: { name: string }) => p.name)).toEqual(['p-a', 'p-b', 'p-c']);
    const past = await bob.call({ method: 'GET', url: '/api/projects?page=9' });
    expect(past.statusCode).toBe(404);
    expect(past.json().detail).toBe('Invalid page.');
  });

  it('filters by simple fields, search and JSON logic, and refuses unknown filters', async () => {
    const byName = (await bob.call({ method: 'GET', url: '/api/projects?name=p-b' })).json();
    expect(byName.results.map((p: { name: string }) => p.name)).toEqual(['p-b']);
    const searched = (await bob.call({ method: 'GET', url: '/api/projects?search=P-' })).json();
    expect(searched.count).toBe(3);
    const filter = encodeURIComponent(JSON.stringify({ and: [{ '==': [{ var: 'name' }, 'p-c'] }] }));
    const logic = (await bob.call({ method: 'GET', url: `/api/projects?filter=${filter}` })).json();
    expect(logic.results.map((p: { name: string }) => p.name)).toEqual(['p-c']);
    const bad = await bob.call({
      method: 'GET',
      url: `/api/projects?filter=${encodeURIComponent('{"<":[1,2]}')}`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('API_INVALID_FILTER');
    const badSort = await bob.call({ method: 'GET', url: '/api/projects?sort=nope' });
    expect(badSort.statusCode).toBe(400);
  });

  it('shows users only their own projects; admins see all', async () => {
    const own = (await alice.call({ method: 'GET', url: '/api/projects' })).json();
    expect(own.results.every((p: { owner: { id: number } }) => p.owner.id === alice.id)).toBe(true);
    const all = (await admin.call({ method: 'GET', url: '/api/projects?page_size=all' })).json();
    expect(all.count).toBeGreaterThanOrEqual(4);
  });

  it('patches name, labels and storages; deletes', async () => {
    const created = (
      await alice.call({
        method: 'POST',
        url: '/api/projects',
        payload: { name: 'edit me', labels: [{ name: 'a' }] },
      })
    ).json();
    const patched = await alice.call({
      method: 'PATCH',
      url: `/api/projects/${created.id}/`,
      payload: {
        name: 'edited',
        labels: [{ name: 'b', type: 'polygon' }],
        target_storage: { location: 'local' },
      },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'edited',
      target_storage: { location: 'local', cloud_storage_id: null },
    });
    const labels = (
      await alice.call({ method: 'GET', url: `/api/labels?project_id=${created.id}&sort=name` })
    ).json();
    expect(labels.results.map((l: { name: string }) => l.name)).toEqual(['a', 'b']);
    expect((await alice.call({ method: 'DELETE', url: `/api/projects/${created.id}` })).statusCode).toBe(204);
    expect((await alice.call({ method: 'GET', url: `/api/projects/${created.id}` })).statusCode).toBe(404);
  });

  it('validates bodies field by field', async () => {
    const res = await alice.call({
      method: 'POST',
      url: '/api/projects',
      payload: {
        name: '',
        labels: [{ name: 'x', color: 'red' }],
        target_storage: { location: 'cloud_storage' },
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['labels.0.color', 'name', 'target_storage.cloud_storage_id']);
    const notJson = await alice.call({
      method: 'POST',
      url: '/api/projects',
      payload: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('answers 404 for unknown ids and 400 for ids that are no numbers', async () => {
    expect((await alice.call({ method: 'GET', url: '/api/projects/999999' })).statusCode).toBe(404);
    expect(
      (await alice.call({ method: 'PATCH', url: '/api/projects/999999', payload: { name: 'x' } })).statusCode,
    ).toBe(404);
    expect((await alice.call({ method: 'DELETE', url: '/api/projects/999999' })).statusCode).toBe(404);
    expect((await alice.call({ method: 'GET', url: '/api/projects/abc' })).statusCode).toBe(400);
  });

  it('refuses a storage naming a cloud storage that does not exist', async () => {
    const res = await alice.call({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'x', target_storage: { location: 'cloud_storage', cloud_storage_id: 424242 } },
    });
    expect(res.statusCode).toBe(400);
  });
});
