/**
 * Request ids in CVAT's newest format (`key=value` pairs joined by `&`, falsy fields omitted, fixed
 * field order): clients treat them as opaque, but CVAT's own tools show and pass them around, so ours
 * look the same. They double as BullMQ job ids (which may not contain `:`), so the same request by the
 * same user maps to the same job while it is in flight.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Location } from './job-payloads.js';

export type Target = 'task' | 'project';

export interface ExportRequestKey {
  action: 'export';
  target: Target;
  targetId: number;
  userId: number;
  lightweight: boolean;
  /**
   * 16 hex digits naming a destination other than local storage or a custom file name (CVAT's `id`
   * field); absent for a local export under the default name, whose id is then exactly CVAT's.
   */
  variant?: string;
}

/** What an export id is made of: the request's meaning, destination and file name included. */
export interface ExportIdInput {
  target: Target;
  targetId: number;
  userId: number;
  lightweight: boolean;
  destination?: Location;
  filename?: string | undefined;
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

/**
 * CVAT keys an export by resource, user and lightweight only, so a second request for another
 * target storage or file name finds the running one (409) and its result lands where the first asked.
 * Here such a request is its own job: what the archive is and where it goes are part of the id. A
 * local export under the default name keeps CVAT's id exactly; any other gets a digest of both.
 */
export function exportVariant(destination: Location | undefined, filename?: string): string | undefined {
  const cloud = destination?.location === 'cloud_storage' ? destination.cloudStorageId : null;
  if (cloud === null && !filename) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([cloud, filename ?? null]))
    .digest('hex')
    .slice(0, 16);
}

function renderExportId(key: Omit<ExportRequestKey, 'action'>): string {
  return render({
    action: 'export',
    target: key.target,
    target_id: String(key.targetId),
    id: key.variant,
    user_id: String(key.userId),
    lightweight: key.lightweight ? 'True' : undefined,
    subresource: 'backup',
  });
}

/** The deterministic id of an export request (the BullMQ job id): the same request maps to one job. */
export function exportRequestId(input: ExportIdInput): string {
  const variant = exportVariant(input.destination, input.filename);
  return renderExportId({
    target: input.target,
    targetId: input.targetId,
    userId: input.userId,
    lightweight: input.lightweight,
    ...(variant ? { variant } : {}),
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
    if (f.id !== undefined && !/^[0-9a-f]{16}$/.test(f.id)) return undefined;
    const key: ExportRequestKey = {
      action: 'export',
      target: f.target,
      targetId: Number(f.target_id),
      userId: Number(f.user_id),
      lightweight: f.lightweight === 'True',
      ...(f.id ? { variant: f.id } : {}),
    };
    return renderExportId(key) === rqId ? key : undefined;
  }
  if (f.action === 'import' && /^[0-9a-f-]{36}$/.test(f.id ?? '')) {
    const key: ImportRequestKey = { action: 'import', target: f.target, id: f.id! };
    return importRequestId(key.target, key.id) === rqId ? key : undefined;
  }
  return undefined;
}
