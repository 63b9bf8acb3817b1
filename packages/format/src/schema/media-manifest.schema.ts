import { z } from 'zod';

/** `data/manifest.jsonl`: a version line, a type line, then one line per image or key frame. */
export const manifestVersionLineSchema = z.object({ version: z.enum(['1.0', '1.1']) });
export const manifestTypeLineSchema = z.object({ type: z.enum(['images', 'video']) });

export const imageManifestItemSchema = z.looseObject({
  name: z.string(),
  extension: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  meta: z.looseObject({ related_images: z.array(z.string()).optional() }).optional(),
  checksum: z.string().optional(),
});

export const videoPropertiesLineSchema = z.object({
  properties: z.looseObject({
    name: z.string(),
    resolution: z.tuple([z.number().int(), z.number().int()]),
    length: z.number().int().nonnegative(),
  }),
});

export const videoKeyFrameSchema = z.looseObject({
  number: z.number().int().nonnegative(),
  pts: z.number().int(),
  checksum: z.string().optional(),
});

export type ImageManifestItem = z.output<typeof imageManifestItemSchema>;
export type VideoKeyFrame = z.output<typeof videoKeyFrameSchema>;
