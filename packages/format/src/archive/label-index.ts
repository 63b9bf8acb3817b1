import { AppError } from '@cvat-backup/common';
import type { AnnotationAttribute, Shape, Tag, Track } from '../schema/annotations.schema.js';
import type { Label } from '../schema/label.schema.js';

interface LabelEntry {
  attributes: ReadonlySet<string>;
  sublabels: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Label and attribute names of a task or project, to check that every annotation refers to
 * something the backup defines (CVAT maps them by name on restore and would fail half-way).
 */
export class LabelIndex {
  readonly #labels: ReadonlyMap<string, LabelEntry>;

  constructor(labels: readonly Label[]) {
    this.#labels = new Map(
      labels.map((l) => [
        l.name,
        {
          attributes: new Set(l.attributes.map((a) => a.name)),
          sublabels: new Map(l.sublabels.map((s) => [s.name, new Set(s.attributes.map((a) => a.name))])),
        },
      ]),
    );
  }

  checkTag(job: number, tag: Tag): void {
    const entry = this.#label(job, tag.label);
    this.#attributes(job, tag.label, entry.attributes, tag.attributes);
  }

  checkShape(job: number, shape: Shape): void {
    const entry = this.#label(job, shape.label);
    this.#attributes(job, shape.label, entry.attributes, shape.attributes);
    for (const element of shape.elements ?? []) {
      const attrs = this.#sublabel(job, shape.label, entry, element.label);
      this.#attributes(job, `${shape.label}/${element.label}`, attrs, element.attributes);
    }
  }

  checkTrack(job: number, track: Track): void {
    const entry = this.#label(job, track.label);
    this.#attributes(job, track.label, entry.attributes, track.attributes);
    for (const shape of track.shapes) this.#attributes(job, track.label, entry.attributes, shape.attributes);
    for (const element of track.elements ?? []) {
      const attrs = this.#sublabel(job, track.label, entry, element.label);
      const name = `${track.label}/${element.label}`;
      this.#attributes(job, name, attrs, element.attributes);
      for (const shape of element.shapes) this.#attributes(job, name, attrs, shape.attributes);
    }
  }

  #label(job: number, name: string): LabelEntry {
    const entry = this.#labels.get(name);
    if (!entry) throw new AppError('ARCHIVE_UNKNOWN_LABEL', { job, label: name });
    return entry;
  }

  #sublabel(job: number, parent: string, entry: LabelEntry, name: string): ReadonlySet<string> {
    const attrs = entry.sublabels.get(name);
    if (!attrs) throw new AppError('ARCHIVE_UNKNOWN_LABEL', { job, label: `${parent}/${name}` });
    return attrs;
  }

  #attributes(
    job: number,
    label: string,
    known: ReadonlySet<string>,
    used: readonly AnnotationAttribute[],
  ): void {
    for (const a of used) {
      if (!known.has(a.name))
        throw new AppError('ARCHIVE_UNKNOWN_ATTRIBUTE', { job, label, attribute: a.name });
    }
  }
}
