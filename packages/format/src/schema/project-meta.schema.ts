import { z } from 'zod';
import { labelSchema } from './label.schema.js';
import { STATUSES } from './task-meta.schema.js';

export const projectMetaSchema = z.object({
  name: z.string().min(1),
  bug_tracker: z.string().default(''),
  status: z.enum(STATUSES).default('annotation'),
  labels: z.array(labelSchema),
  version: z.literal('1.0'),
});

/** `project.json` in the newest shape. */
export type ProjectMeta = z.output<typeof projectMetaSchema>;
