import type { LabelRecord } from '@cvat-backup/catalog';
import type { Label } from '@cvat-backup/format';

/**
 * A task restored into a project takes the project's labels; its annotations name labels, sublabels
 * and attributes, so every one the backup defines must exist in the project. Returns the first
 * problem, or null.
 */
export function missingInProject(archive: readonly Label[], project: readonly LabelRecord[]): string | null {
  const byName = new Map(project.map((l) => [l.name, l]));
  for (const label of archive) {
    const target = byName.get(label.name);
    if (!target) return `the project has no label "${label.name}"`;
    const attrs = new Set(target.attributes.map((a) => a.name));
    for (const a of label.attributes)
      if (!attrs.has(a.name)) return `label "${label.name}" of the project has no attribute "${a.name}"`;
    const subs = new Map(target.sublabels.map((s) => [s.name, s]));
    for (const sub of label.sublabels) {
      const targetSub = subs.get(sub.name);
      if (!targetSub) return `skeleton "${label.name}" of the project has no point "${sub.name}"`;
      const subAttrs = new Set(targetSub.attributes.map((a) => a.name));
      for (const a of sub.attributes)
        if (!subAttrs.has(a.name))
          return `point "${label.name}/${sub.name}" of the project has no attribute "${a.name}"`;
    }
  }
  return null;
}
