import { z } from 'zod';

export const SHAPE_TYPES = [
  'rectangle',
  'polygon',
  'polyline',
  'points',
  'ellipse',
  'cuboid',
  'mask',
  'skeleton',
] as const;

const frame = z.number().int().nonnegative();
const group = z.number().int().nonnegative().nullable().default(0);
const source = z.string().default('manual');

export const annotationAttributeSchema = z.object({
  value: z.string(),
  name: z.string(),
});
const attributes = z.array(annotationAttributeSchema).default([]);

export const tagSchema = z.object({ frame, group, source, attributes, label: z.string() });

const shapeFields = {
  type: z.enum(SHAPE_TYPES),
  occluded: z.boolean().default(false),
  outside: z.boolean().default(false),
  z_order: z.number().int().default(0),
  rotation: z.number().default(0),
  points: z.array(z.number()),
  frame,
  group,
  source,
  attributes,
  label: z.string(),
};

/** A skeleton's element: a shape without elements of its own, labelled with the sublabel name. */
export const elementShapeSchema = z.object(shapeFields);
export const shapeSchema = z.object({ ...shapeFields, elements: z.array(elementShapeSchema).optional() });

export const trackedShapeSchema = z.object({
  type: z.enum(SHAPE_TYPES),
  occluded: z.boolean().default(false),
  outside: z.boolean().default(false),
  z_order: z.number().int().default(0),
  rotation: z.number().default(0),
  points: z.array(z.number()),
  frame,
  attributes,
});

const trackFields = {
  frame,
  group,
  source,
  shapes: z.array(trackedShapeSchema),
  attributes,
  label: z.string(),
};
export const elementTrackSchema = z.object(trackFields);
export const trackSchema = z.object({ ...trackFields, elements: z.array(elementTrackSchema).optional() });

export type AnnotationAttribute = z.output<typeof annotationAttributeSchema>;
export type Tag = z.output<typeof tagSchema>;
export type ElementShape = z.output<typeof elementShapeSchema>;
export type Shape = z.output<typeof shapeSchema>;
export type TrackedShape = z.output<typeof trackedShapeSchema>;
export type ElementTrack = z.output<typeof elementTrackSchema>;
export type Track = z.output<typeof trackSchema>;
