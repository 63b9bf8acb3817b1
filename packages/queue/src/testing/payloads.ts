/**
 * Valid job payloads for tests (`@cvat-backup/queue/testing`): one owner, one resource, a local
 * export or a staged import, made now; `over` changes what a test is about.
 */
import type { ExportJobPayload, ImportJobPayload } from '../job-payloads.js';

export function exportPayload(over: Partial<ExportJobPayload> = {}): ExportJobPayload {
  return {
    version: 1,
    target: 'task',
    targetId: 42,
    userId: 1,
    lightweight: false,
    destination: { location: 'local' },
    requestedAt: new Date().toISOString(),
    ...over,
  };
}

export function importPayload(over: Partial<ImportJobPayload> = {}): ImportJobPayload {
  return {
    version: 1,
    target: 'project',
    userId: 1,
    source: { kind: 'staged', key: 'uploads/x.zip' },
    requestedAt: new Date().toISOString(),
    ...over,
  };
}
