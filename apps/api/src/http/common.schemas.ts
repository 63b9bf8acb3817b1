import { z } from 'zod';

const LABEL_TYPES = [
  'any',
  'cuboid',
  'ellipse',
  'mask',
  'points',
  'polygon',
  'polyline',
  'rectangle',
  'skeleton',
  'tag',
] as const;

/** CVAT's `AttributeWrite`. */
export const attributeWrite = z.object({
  id: z.number().int().positive().optional(),
  name: z.string().min(1).max(64),
  mutable: z.boolean().default(false),
  input_type: z.enum(['checkbox', 'radio', 'number', 'text', 'select']),
  default_value: z.string().max(128).optional(),
  values: z.array(z.string().max(200)).default([]),
  deleted: z.boolean().optional(),
});

const labelFields = {
  id: z.number().int().positive().optional(),
  name: z.string().min(1).max(64),
  color: z
    .string()
    .regex(/^(#[0-9a-fA-F]{6})?$/, 'Expected a color like #ff00aa.')
    .optional(),
  type: z.enum(LABEL_TYPES).optional(),
  attributes: z.array(attributeWrite).default([]),
  deleted: z.boolean().optional(),
};

/** CVAT's `LabelWrite` with one level of skeleton sublabels. */
export const labelWrite = z.object({
  ...labelFields,
  svg: z.string().max(1_000_000).optional(),
  sublabels: z.array(z.object(labelFields)).optional(),
});

/** CVAT's `StorageWrite`: a cloud storage id goes with `cloud_storage` and only with it. */
export const storageWrite = z
  .object({
    location: z.enum(['local', 'cloud_storage']),
    cloud_storage_id: z.number().int().positive().nullable().optional(),
  })
  .refine((s) => (s.location === 'cloud_storage') === (s.cloud_storage_id != null), {
    message: 'cloud_storage_id is required with location "cloud_storage" and not allowed otherwise.',
    path: ['cloud_storage_id'],
  });

export type LabelWrite = z.infer<typeof labelWrite>;
