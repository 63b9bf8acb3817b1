/**
 * The one registry of error codes. Each domain keeps its codes in `codes/<domain>.codes.ts`; this file
 * joins them and refuses (at type level and at load) a code defined twice.
 */
import { apiErrors } from './codes/api.codes.js';
import { backupErrors } from './codes/backup.codes.js';
import { backupApiErrors } from './codes/backup-api.codes.js';
import { catalogErrors } from './codes/catalog.codes.js';
import { cliErrors } from './codes/cli.codes.js';
import { commonErrors } from './codes/common.codes.js';
import { formatErrors } from './codes/format.codes.js';
import { scheduleErrors } from './codes/schedule.codes.js';
import { storageErrors } from './codes/storage.codes.js';
import { webhookErrors } from './codes/webhook.codes.js';
import type { ErrorSpec } from './error-spec.js';

const tables = [
  commonErrors,
  storageErrors,
  formatErrors,
  catalogErrors,
  apiErrors,
  backupErrors,
  backupApiErrors,
  scheduleErrors,
  webhookErrors,
  cliErrors,
] as const;

type Union<T extends readonly object[]> = T[number];
type Keys<T> = T extends unknown ? keyof T : never;

export type ErrorCode = Extract<Keys<Union<typeof tables>>, string>;

function join(): Readonly<Record<ErrorCode, ErrorSpec>> {
  const out: Record<string, ErrorSpec> = {};
  for (const table of tables) {
    for (const [code, spec] of Object.entries(table)) {
      if (out[code]) throw new Error(`error code ${code} is defined twice`);
      out[code] = spec;
    }
  }
  return Object.freeze(out) as Record<ErrorCode, ErrorSpec>;
}

export const ERROR_REGISTRY = join();

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_REGISTRY, code);
}
