import type { LabelRecord } from '@cvat-backup/catalog';
import type { Label } from '@cvat-backup/format';

/** Skeleton svgs reference sublabels by id in the catalog and by name in an archive (CVAT does the same). */
export function svgWithLabelNames(
  svg: string,
  sublabels: ReadonlyArray<{ id: number; name: string }>,
): string {
  const byId = new Map(sublabels.map((s) => [String(s.id), s.name]));
  return svg.replace(/data-label-id="(\d+)"/g, (whole, id: string) => {
    const name = byId.get(id);
    return name === undefined ? whole : `data-label-name="${escapeAttribute(name)}"`;
  });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The catalog's labels in the archive's shape: ids dropped, svg references by name. */
export function toArchiveLabels(labels: readonly LabelRecord[]): Label[] {
  return labels.map((label) => {
    const out: Label = {
      name: label.name,
      color: label.color,
      attributes: label.attributes.map(({ name, mutable, input_type, default_value, values }) => ({
        name,
        mutable,
        input_type,
        default_value,
        values,
      })),
      type: label.type,
      sublabels: label.sublabels.map((sub) => ({
        name: sub.name,
        color: sub.color,
        attributes: sub.attributes.map(({ name, mutable, input_type, default_value, values }) => ({
          name,
          mutable,
          input_type,
          default_value,
          values,
        })),
        type: sub.type,
      })),
    };
    if (label.type === 'skeleton' && label.svg !== undefined)
      out.svg = svgWithLabelNames(label.svg, label.sublabels);
    return out;
  });
}

interface NamedLabel {
  name: string;
  /** Attribute names by attribute id (`spec_id`). */
  attributes: Map<number, string>;
}

/**
 * Resolves the ids annotations carry (`label_id`, `spec_id`) to the names an archive uses. Sublabels
 * resolve to their own name only: CVAT writes a skeleton element's label as the sublabel name.
 */
export class LabelNames {
  private readonly byId = new Map<number, NamedLabel>();

  constructor(labels: readonly LabelRecord[]) {
    for (const label of labels) {
      this.byId.set(label.id, {
        name: label.name,
        attributes: new Map(label.attributes.map((a) => [a.id, a.name])),
      });
      for (const sub of label.sublabels) {
        this.byId.set(sub.id, {
          name: sub.name,
          attributes: new Map(sub.attributes.map((a) => [a.id, a.name])),
        });
      }
    }
  }

  label(labelId: number): NamedLabel {
    const label = this.byId.get(labelId);
    // The catalog validates references on write; a miss here is a broken invariant, not user input.
    if (!label)
      throw new Error(`annotation refers to label ${labelId}, which is not among the task's labels`);
    return label;
  }

  attributes(
    labelId: number,
    values: ReadonlyArray<{ spec_id: number; value: string }>,
  ): Array<{ value: string; name: string }> {
    const label = this.label(labelId);
    return values.map(({ spec_id, value }) => {
      const name = label.attributes.get(spec_id);
      if (name === undefined)
        throw new Error(
          `annotation refers to attribute ${spec_id}, which label "${label.name}" does not have`,
        );
      return { value, name };
    });
  }
}
