/**
 * Request ids in CVAT's newest format (`key=value` pairs joined by `&`, falsy fields omitted, fixed
 * field order): clients treat them as opaque, but CVAT's own tools show and pass them around, so ours
 * look the same. They double as BullMQ job ids (which may not contain `:`), so the same request by the
 * same user maps to the same job while it is in flight.
 */
import { randomUUID } from 'node:crypto';

export type Target = 'task' | 'project';

export interface ExportRequestKey {
  action: 'export';
  target: Target;
  targetId: number;
  userId: number;
  lightweight: boolean;
}

export interface ImportRequestKey {
  action: 'import';
  target: Target;
  /** A uuid4: every upload is a new import. */
  id: string;
}

export type RequestKey = ExportRequestKey | ImportRequestKey;

const FIELD_ORDER = [
  'action',
  'target',
  'target_id',
  'id',
  'user_id',
  'lightweight',
  'format',
  'subresource',
] as const;
const VALUE = /^[\w\-~]+$/;

function render(fields: Partial<Record<(typeof FIELD_ORDER)[number], string>>): string {
  return FIELD_ORDER.flatMap((k) => {
    const v = fields[k];
    if (!v) return [];
    if (!VALUE.test(v)) throw new Error(`request id field ${k} has characters outside [\\w-~]: ${v}`);
    return [`${k}=${v}`];
  }).join('&');
}

export function exportRequestId(key: Omit<ExportRequestKey, 'action'>): string {
  return render({
    action: 'export',
    target: key.target,
    target_id: String(key.targetId),
    user_id: String(key.userId),
    lightweight: key.lightweight ? 'True' : undefined,
    subresource: 'backup',
  });
}

export function importRequestId(target: Target, id: string = randomUUID()): string {
  return render({ action: 'import', target, id, subresource: 'backup' });
}

/** Parses one of our ids back; undefined for anything else (ids are opaque to control flow elsewhere). */
export function parseRequestId(rqId: string): RequestKey | undefined {
  const pairs = rqId.split('&').map((p) => p.split('='));
  if (pairs.some((p) => p.length !== 2 || !VALUE.test(p[1]!))) return undefined;
  const f = Object.fromEntries(pairs) as Record<string, string>;
  if (f.subresource !== 'backup' || (f.target !== 'task' && f.target !== 'project')) return undefined;
  if (f.action === 'export' && /^\d+$/.test(f.target_id ?? '') && /^\d+$/.test(f.user_id ?? '')) {
    if (f.lightweight !== undefined && f.lightweight !== 'True') return undefined;
    const key: ExportRequestKey = {
      action: 'export',
      target: f.target,
      targetId: Number(f.target_id),
      userId: Number(f.user_id),
      lightweight: f.lightweight === 'True',
    };
    return exportRequestId(key) === rqId ? key : undefined;
  }
  if (f.action === 'import' && /^[0-9a-f-]{36}$/.test(f.id ?? '')) {
    const key: ImportRequestKey = { action: 'import', target: f.target, id: f.id! };
    return importRequestId(key.target, key.id) === rqId ? key : undefined;
  }
  return undefined;
}
