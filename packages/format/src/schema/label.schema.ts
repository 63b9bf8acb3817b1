import { z } from 'zod';

/** Label types CVAT knows (`LabelType`). */
export const LABEL_TYPES = [
  'any',
  'bbox',
  // CVAT's REST API also takes 'rectangle' as a label type (cvat-rest-subset.md §3): accept both.
  'rectangle',
  'ellipse',
  'polygon',
  'polyline',
  'points',
  'cuboid',
  'cuboid_3d',
  'skeleton',
  'tag',
  'mask',
] as const;

export const ATTRIBUTE_INPUT_TYPES = ['checkbox', 'radio', 'select', 'number', 'text'] as const;

/**
 * Reader schemas: every era's shape in, the newest shape out. Unknown keys are dropped (CVAT's
 * allow-lists do the same); keys added after 2021 get the defaults CVAT assumes for them.
 */
export const attributeSchema = z.object({
  name: z.string().min(1),
  mutable: z.boolean().default(false),
  input_type: z.enum(ATTRIBUTE_INPUT_TYPES),
  default_value: z.string().default(''),
  values: z.array(z.string()).default([]),
});

export const sublabelSchema = z.object({
  name: z.string().min(1),
  color: z.string().default(''),
  attributes: z.array(attributeSchema).default([]),
  type: z.enum(LABEL_TYPES).default('any'),
});

export const labelSchema = z
  .object({
    name: z.string().min(1),
    color: z.string().default(''),
    attributes: z.array(attributeSchema).default([]),
    type: z.enum(LABEL_TYPES).default('any'),
    sublabels: z.array(sublabelSchema).default([]),
    svg: z.string().optional(),
  })
  .transform((label) => {
    // Only skeletons carry an svg (with data-label-name references to their sublabels).
    const { svg, ...rest } = label;
    return label.type === 'skeleton' && svg !== undefined ? { ...rest, svg } : rest;
  });

export type Attribute = z.output<typeof attributeSchema>;
export type Sublabel = z.output<typeof sublabelSchema>;
/** A top-level label in the newest archive shape. `svg` only for skeletons. */
export interface Label {
  name: string;
  color: string;
  attributes: Attribute[];
  type: (typeof LABEL_TYPES)[number];
  sublabels: Sublabel[];
  svg?: string;
}

/** Names must be unique within their parent: annotations refer to labels by name. */
export function duplicateLabelProblem(labels: readonly Label[]): string | null {
  const names = new Set<string>();
  for (const label of labels) {
    if (names.has(label.name)) return `label "${label.name}" is defined twice`;
    names.add(label.name);
    const subs = new Set<string>();
    for (const sub of label.sublabels) {
      if (subs.has(sub.name)) return `sublabel "${sub.name}" of "${label.name}" is defined twice`;
      subs.add(sub.name);
    }
  }
  return null;
}
