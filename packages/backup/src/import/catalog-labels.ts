import type { AnnotationItem, AttributeValue, LabelInput } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { AnnotationAttribute, Label, Shape, Tag, Track, TrackedShape } from '@cvat-backup/format';

/** Archive labels as the catalog creates them (svg keeps its `data-label-name` references). */
export function toLabelInputs(labels: readonly Label[]): LabelInput[] {
  return labels.map((label) => ({
    name: label.name,
    color: label.color,
    type: label.type,
    attributes: label.attributes.map((a) => ({ ...a })),
    ...(label.svg !== undefined ? { svg: label.svg } : {}),
    sublabels: label.sublabels.map((sub) => ({
      name: sub.name,
      color: sub.color,
      type: sub.type,
      attributes: sub.attributes.map((a) => ({ ...a })),
    })),
  }));
}

/** A label (or sublabel) with the ids the catalog gave it and its attributes. */
export interface LabelNode {
  id: number;
  name: string;
  attributes: ReadonlyArray<{ id: number; name: string }>;
  sublabels?: ReadonlyArray<LabelNode>;
}

export interface IdEntry {
  id: number;
  attributes: Map<string, number>;
  sublabels: Map<string, IdEntry>;
}

const entryOf = (
  l: { id: number; attributes: ReadonlyArray<{ id: number; name: string }> },
  sublabels: Map<string, IdEntry> = new Map(),
): IdEntry => ({
  id: l.id,
  attributes: new Map(l.attributes.map((a) => [a.name, a.id])),
  sublabels,
});

/**
 * Names in an archive → ids of the labels just created. The archive was checked against its own
 * labels before anything was written, so a miss here means the labels were not created as read.
 */
export class LabelIds {
  protected readonly byName = new Map<string, IdEntry>();

  constructor(labels: readonly LabelNode[]) {
    for (const label of labels) {
      this.byName.set(
        label.name,
        entryOf(label, new Map((label.sublabels ?? []).map((s) => [s.name, entryOf(s)]))),
      );
    }
  }

  protected label(name: string): IdEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new AppError('ARCHIVE_UNKNOWN_LABEL', { job: '?', label: name });
    return entry;
  }

  protected sublabel(parent: IdEntry, parentName: string, name: string): IdEntry {
    const entry = parent.sublabels.get(name);
    if (!entry) throw new AppError('ARCHIVE_UNKNOWN_LABEL', { job: '?', label: `${parentName}/${name}` });
    return entry;
  }

  private attributes(entry: IdEntry, values: readonly AnnotationAttribute[]): AttributeValue[] {
    // Attributes the label does not have were refused by the archive check; skip defensively.
    return values.flatMap(({ name, value }) => {
      const spec_id = this.attributeId(entry, name);
      return spec_id === undefined ? [] : [{ spec_id, value }];
    });
  }

  protected attributeId(entry: IdEntry, name: string): number | undefined {
    return entry.attributes.get(name);
  }

  private tracked(entry: IdEntry, shapes: readonly TrackedShape[]) {
    return shapes.map((s) => ({
      type: s.type,
      frame: s.frame,
      occluded: s.occluded,
      outside: s.outside,
      z_order: s.z_order,
      rotation: s.rotation,
      points: s.points,
      attributes: this.attributes(entry, s.attributes),
    }));
  }

  /** One archive object as a catalog write item (frames shifted by `frameOffset` when media were renumbered). */
  item(kind: 'tag' | 'shape' | 'track', value: Tag | Shape | Track): AnnotationItem {
    if (kind === 'tag') {
      const tag = value as Tag;
      const entry = this.label(tag.label);
      return {
        kind,
        value: {
          label_id: entry.id,
          frame: tag.frame,
          group: tag.group,
          source: tag.source as 'manual',
          attributes: this.attributes(entry, tag.attributes),
        },
      };
    }
    if (kind === 'shape') {
      const shape = value as Shape;
      const entry = this.label(shape.label);
      return {
        kind,
        value: {
          label_id: entry.id,
          type: shape.type,
          frame: shape.frame,
          group: shape.group,
          source: shape.source as 'manual',
          occluded: shape.occluded,
          outside: shape.outside,
          z_order: shape.z_order,
          rotation: shape.rotation,
          points: shape.points,
          attributes: this.attributes(entry, shape.attributes),
          elements: (shape.elements ?? []).map((el) => {
            const sub = this.sublabel(entry, shape.label, el.label);
            return {
              label_id: sub.id,
              type: el.type,
              frame: el.frame,
              group: el.group,
              source: el.source as 'manual',
              occluded: el.occluded,
              outside: el.outside,
              z_order: el.z_order,
              rotation: el.rotation,
              points: el.points,
              attributes: this.attributes(sub, el.attributes),
            };
          }),
        },
      };
    }
    const track = value as Track;
    const entry = this.label(track.label);
    return {
      kind,
      value: {
        label_id: entry.id,
        frame: track.frame,
        group: track.group,
        source: track.source as 'manual',
        shapes: this.tracked(entry, track.shapes),
        attributes: this.attributes(entry, track.attributes),
        elements: (track.elements ?? []).map((el) => {
          const sub = this.sublabel(entry, track.label, el.label);
          return {
            label_id: sub.id,
            frame: el.frame,
            group: el.group,
            source: el.source as 'manual',
            shapes: this.tracked(sub, el.shapes),
            attributes: this.attributes(sub, el.attributes),
          };
        }),
      },
    };
  }
}
