import { SHAPE_TYPES } from '@cvat-backup/format';
import { z } from 'zod';

const SOURCES = ['manual', 'auto', 'semi-auto', 'file', 'consensus'] as const;

const id = z.number().int().positive().nullable().optional();
const group = z
  .number()
  .int()
  .min(0)
  .nullable()
  .optional()
  .transform((g) => g ?? 0);

/** `{spec_id, value}`; CVAT stores values as strings. */
export const attributeValue = z.object({
  spec_id: z.number().int().positive(),
  value: z.string().max(4096),
});

const common = {
  id,
  label_id: z.number().int().min(0),
  frame: z.number().int().min(0),
  group,
  source: z.enum(SOURCES).default('manual'),
  attributes: z.array(attributeValue).default([]),
};

const geometry = {
  type: z.enum(SHAPE_TYPES),
  occluded: z.boolean().default(false),
  outside: z.boolean().default(false),
  z_order: z.number().int().default(0),
  rotation: z.number().min(0).max(360).default(0),
  points: z.array(z.number()).default([]),
};

export const labeledTag = z.object(common);

export const labeledShapeElement = z.object({
  ...common,
  ...geometry,
  score: z.number().min(0).max(1).default(1),
});
export const labeledShape = labeledShapeElement.extend({
  elements: z.array(labeledShapeElement).default([]),
});

export const trackedShape = z.object({
  id,
  frame: z.number().int().min(0),
  ...geometry,
  attributes: common.attributes,
});
export const labeledTrackElement = z.object({ ...common, shapes: z.array(trackedShape).min(1) });
export const labeledTrack = labeledTrackElement.extend({
  elements: z.array(labeledTrackElement).default([]),
});

/** `version` and `intervals` (audio tasks) are accepted; intervals must be empty here. */
export const labeledDataFields = {
  version: z.number().int().min(0),
  intervals: z.array(z.unknown()).max(0, 'Intervals (audio annotations) are not supported.'),
};

/** PATCH `?action=`. */
export const patchQuery = z.object({
  action: z.enum(['create', 'update', 'delete'], {
    error: "Please specify a correct 'action' for the request",
  }),
});

/** PUT takes no query (CVAT's `format` file import is not offered by this server). */
export const putQuery = z.object({}).strict();

export type LabeledTag = z.infer<typeof labeledTag>;
export type LabeledShape = z.infer<typeof labeledShape>;
export type LabeledTrack = z.infer<typeof labeledTrack>;
