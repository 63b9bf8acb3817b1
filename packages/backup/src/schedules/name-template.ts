import { AppError } from '@cvat-backup/common';
import { backupTimestamp, sanitizeBackupFileName } from '@cvat-backup/format';

/** CVAT's default backup name, with the run's time in place of the resource's updated date. */
export const DEFAULT_NAME_TEMPLATE = '{{target}}_{{name}}_backup_{{date}}';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;
const KNOWN = new Set(['id', 'name', 'date', 'target']);

export interface NameValues {
  target: 'task' | 'project';
  id: number;
  name: string;
  /** The run's time (`%Y_%m_%d_%H_%M_%S`, UTC). */
  date: Date;
}

/**
 * Refuses a template that names an unknown placeholder, that lacks `{{date}}` (each run's archives
 * must get names of their own, or a run would overwrite the one retention keeps), or that renders to
 * nothing usable.
 */
export function checkNameTemplate(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1] ?? ''))
      throw new AppError('SCHEDULE_NAME_TEMPLATE_INVALID', {
        problem: `unknown placeholder {{${match[1]}}}; use {{id}}, {{name}}, {{date}} or {{target}}`,
      });
  }
  if (/[/\\]/.test(template))
    throw new AppError('SCHEDULE_NAME_TEMPLATE_INVALID', {
      problem: 'it may not contain / or \\ (archives are written under one name, without folders)',
    });
  if (!/\{\{\s*date\s*\}\}/.test(template))
    throw new AppError('SCHEDULE_NAME_TEMPLATE_INVALID', {
      problem: 'it must contain {{date}} so that every run writes archives of its own',
    });
  try {
    renderArchiveName(template, { target: 'task', id: 1, name: 'x', date: new Date(0) });
  } catch (err) {
    throw new AppError('SCHEDULE_NAME_TEMPLATE_INVALID', {
      problem: err instanceof Error ? err.message : String(err),
    });
  }
}

/** Renders a template, then makes it a safe file name ending in `.zip`. */
export function renderArchiveName(template: string, values: NameValues): string {
  const rendered = template.replace(PLACEHOLDER, (_all, name: string) => {
    if (name === 'id') return String(values.id);
    // A slash in a resource name would make the sanitiser keep only what follows it.
    if (name === 'name') return values.name.replace(/[/\\]/g, '_');
    if (name === 'date') return backupTimestamp(values.date);
    if (name === 'target') return values.target;
    return '';
  });
  return sanitizeBackupFileName(rendered);
}

/**
 * Names for the resources of one run, distinct from each other: two resources rendering to the same
 * name (a template without `{{id}}`, two tasks of one name) get `_<target>-<id>` added.
 */
export function runArchiveNames<R extends Omit<NameValues, 'date'>>(
  template: string,
  resources: readonly R[],
  date: Date,
): Map<R, string> {
  const rendered = resources.map((r) => [r, renderArchiveName(template, { ...r, date })] as const);
  const counts = new Map<string, number>();
  for (const [, name] of rendered) counts.set(name, (counts.get(name) ?? 0) + 1);
  return new Map(
    rendered.map(([r, name]) => [
      r,
      (counts.get(name) ?? 0) > 1 ? sanitizeBackupFileName(`${name.slice(0, -4)}_${r.target}-${r.id}`) : name,
    ]),
  );
}
