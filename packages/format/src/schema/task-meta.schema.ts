import { z } from 'zod';
import { labelSchema } from './label.schema.js';

export const STATUSES = ['annotation', 'validation', 'completed'] as const;
export const JOB_TYPES = ['annotation', 'ground_truth', 'consensus_replica'] as const;
export const SORTING_METHODS = ['lexicographical', 'natural', 'predefined', 'random'] as const;

const frame = z.number().int().nonnegative();

export const validationLayoutSchema = z.object({
  mode: z.literal('gt_pool'),
  frames_per_job_count: z.number().int().nonnegative().nullable().optional(),
  frames: z.array(z.string()),
});

export const taskDataSchema = z
  .object({
    chunk_size: z.number().int().positive().nullable().optional(),
    image_quality: z.number().int().min(0).max(100),
    start_frame: frame.optional(),
    stop_frame: frame.optional(),
    frame_filter: z.string().optional(),
    storage_method: z.enum(['cache', 'file_system']).default('cache'),
    sorting_method: z.enum(SORTING_METHODS).default('lexicographical'),
    chunk_type: z.enum(['imageset', 'video']).default('imageset'),
    deleted_frames: z.array(frame).default([]),
    custom_segments: z.literal(true).optional(),
    validation_layout: validationLayoutSchema.optional(),
    // 2021–2023 archives could say "share"; CVAT now restores those files as local data.
    storage: z
      .enum(['local', 'share', 'cloud_storage'])
      .default('local')
      .transform((s) => (s === 'share' ? 'local' : s)),
  })
  .transform(({ frame_filter, ...data }) => (frame_filter ? { ...data, frame_filter } : data));

export const jobSchema = z.object({
  status: z.enum(STATUSES).default('annotation'),
  type: z.enum(JOB_TYPES).default('annotation'),
  start_frame: frame,
  stop_frame: frame,
  frames: z.array(frame).optional(),
  files: z.array(z.string()).optional(),
});

export const taskMetaSchema = z.object({
  name: z.string().min(1),
  bug_tracker: z.string().default(''),
  status: z.enum(STATUSES).default('annotation'),
  subset: z.string().default(''),
  labels: z.array(labelSchema),
  consensus_replicas: z.number().int().nonnegative().optional(),
  version: z.literal('1.0'),
  data: taskDataSchema,
  jobs: z.array(jobSchema),
});

export type TaskData = z.output<typeof taskDataSchema>;
export type Job = z.output<typeof jobSchema>;
export type ValidationLayout = z.output<typeof validationLayoutSchema>;
/** `task.json` in the newest shape, as read (every era normalised) and as written. */
export type TaskMeta = z.output<typeof taskMetaSchema>;
