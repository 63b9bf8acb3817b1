import type { LabelInput } from '../repositories/label.repository.js';
import { checkLength, checkStorableText, invalid } from './field-rules.js';

/**
 * What the catalog accepts in a label, as pure rules: the label repository runs them before writing
 * (the schema's CHECKs stay the last word), and a restore runs them on a backup's labels before it
 * copies any media.
 */

/** One label's own fields and attributes (not its sublabels: each is checked as it is written). */
export function checkLabelFields(input: LabelInput): void {
  if (input.deleted) return;
  checkLength('labels.name', input.name, 1, 64);
  if (input.color && !/^#[0-9a-fA-F]{6}$/.test(input.color))
    throw invalid('labels.color', `"${input.color}" is not a colour of the form #rrggbb`);
  for (const attribute of input.attributes ?? []) {
    if (attribute.deleted) continue;
    checkLength('labels.attributes.name', attribute.name, 1, 64);
    checkLength('labels.attributes.default_value', attribute.default_value, 0, 128);
    for (const value of attribute.values ?? []) checkStorableText('labels.attributes.values', value);
  }
  checkStorableText('labels.svg', input.svg);
}

/** A skeleton's svg with each `data-label-name="<sublabel>"` turned into `data-label-id="<id>"`. */
export function svgWithSublabelIds(svg: string, sublabelIds: ReadonlyMap<string, number>): string {
  return svg.replace(/data-label-name="([^"]*)"/g, (_whole, name: string) => {
    const id = sublabelIds.get(name);
    if (id === undefined) throw invalid('labels.svg', `no sublabel named "${name}"`);
    return `data-label-id="${id}"`;
  });
}

/** New labels as a whole, before any is written: each label, its sublabels and its svg's references. */
export function checkNewLabels(labels: readonly LabelInput[]): void {
  for (const label of labels) {
    checkLabelFields(label);
    const sublabels = label.sublabels ?? [];
    for (const sub of sublabels) checkLabelFields(sub);
    if (label.svg !== undefined) svgWithSublabelIds(label.svg, new Map(sublabels.map((s, i) => [s.name, i])));
  }
}
