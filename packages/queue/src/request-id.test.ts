import { describe, expect, it } from 'vitest';
import { exportRequestId, importRequestId, parseRequestId } from './request-id.js';

describe('request ids (CVAT format)', () => {
  it('renders export ids exactly as CVAT does', () => {
    expect(exportRequestId({ target: 'task', targetId: 42, userId: 1, lightweight: false })).toBe(
      'action=export&target=task&target_id=42&user_id=1&subresource=backup',
    );
    expect(exportRequestId({ target: 'project', targetId: 3, userId: 7, lightweight: true })).toBe(
      'action=export&target=project&target_id=3&user_id=7&lightweight=True&subresource=backup',
    );
  });

  it("keeps CVAT's id for a local export under the default name, and names any other in `id`", () => {
    const key = { target: 'task', targetId: 42, userId: 1, lightweight: false } as const;
    const local = exportRequestId({ ...key, destination: { location: 'local' } });
    expect(local).toBe(exportRequestId(key));
    const cloud = exportRequestId({ ...key, destination: { location: 'cloud_storage', cloudStorageId: 5 } });
    const other = exportRequestId({ ...key, destination: { location: 'cloud_storage', cloudStorageId: 6 } });
    const named = exportRequestId({ ...key, destination: { location: 'local' }, filename: 'a.zip' });
    const both = exportRequestId({
      ...key,
      destination: { location: 'cloud_storage', cloudStorageId: 5 },
      filename: 'a.zip',
    });
    expect(cloud).toMatch(
      /^action=export&target=task&target_id=42&id=[0-9a-f]{16}&user_id=1&subresource=backup$/,
    );
    expect(new Set([local, cloud, other, named, both]).size).toBe(5);
    // Deterministic: the same request gives the same id in any process.
    expect(exportRequestId({ ...key, destination: { location: 'cloud_storage', cloudStorageId: 5 } })).toBe(
      cloud,
    );
    expect(parseRequestId(both)).toEqual({ action: 'export', ...key, variant: both.split('&')[3]!.slice(3) });
  });

  it('renders import ids with a fresh uuid each time', () => {
    const a = importRequestId('task');
    const b = importRequestId('task');
    expect(a).toMatch(/^action=import&target=task&id=[0-9a-f-]{36}&subresource=backup$/);
    expect(a).not.toBe(b);
  });

  it('parses its own ids back', () => {
    expect(
      parseRequestId('action=export&target=task&target_id=42&user_id=1&lightweight=True&subresource=backup'),
    ).toEqual({
      action: 'export',
      target: 'task',
      targetId: 42,
      userId: 1,
      lightweight: true,
    });
    const id = importRequestId('project', '6f1c7c9e-0d3b-4c53-9a52-0a8b7d1e2f30');
    expect(parseRequestId(id)).toEqual({
      action: 'import',
      target: 'project',
      id: '6f1c7c9e-0d3b-4c53-9a52-0a8b7d1e2f30',
    });
  });

  it.each([
    'export:task-42-backup-by-1',
    'action=export&target=task&target_id=42&user_id=1',
    'action=export&target=job&target_id=42&user_id=1&subresource=backup',
    'action=export&target=task&target_id=x&user_id=1&subresource=backup',
    'action=export&target=task&target_id=42&user_id=1&lightweight=False&subresource=backup',
    'action=export&target=task&target_id=42&id=XYZ&user_id=1&subresource=backup',
    'action=export&target=task&target_id=42&id=0123456789abcdef0&user_id=1&subresource=backup',
    'action=export&target=task&target_id=42&user_id=1&id=0123456789abcdef&subresource=backup',
    'target=task&action=export&target_id=42&user_id=1&subresource=backup',
    'action=import&target=task&id=../../etc&subresource=backup',
    '',
  ])('refuses %j', (rqId) => expect(parseRequestId(rqId)).toBeUndefined());
});
