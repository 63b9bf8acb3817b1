import { z } from 'zod';

const intField = z.coerce.number().int();
const boolField = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const relativeKey = z
  .string()
  .min(1)
  .max(1024)
  .refine((k) => !k.startsWith('/') && !k.split('/').includes('..') && !k.includes('\0'), {
    message: 'Expected a relative path without "..".',
  });

/** CVAT's `DataSerializer` (the fields this server acts on; the rest are accepted and ignored). */
export const dataRequestSchema = z
  .object({
    image_quality: intField.min(1).max(100),
    chunk_size: intField.positive().nullable().optional(),
    start_frame: intField.min(0).default(0),
    stop_frame: intField.min(0).optional(),
    frame_filter: z
      .string()
      .max(256)
      .regex(/^(step=[1-9]\d*)?$/, 'Expected "step=N" (N ≥ 1) or nothing.')
      .default(''),
    server_files: z.array(relativeKey).max(1_000_000).default([]),
    remote_files: z.array(z.string()).max(0, 'Remote files are not supported by this server.').optional(),
    cloud_storage_id: intField.positive().nullable().optional(),
    sorting_method: z.enum(['lexicographical', 'natural', 'predefined', 'random']).default('lexicographical'),
    storage_method: z.enum(['cache', 'file_system']).default('cache'),
    use_cache: boolField.optional(),
    use_zip_chunks: boolField.optional(),
    copy_data: boolField.optional(),
    random_seed: intField.optional(),
    job_file_mapping: z.array(z.array(z.string())).max(0, 'job_file_mapping is not supported.').optional(),
    validation_params: z.null({ error: 'validation_params are not supported by this server.' }).optional(),
  })
  // CVAT's default stop_frame is 0, meaning "to the last file": only a stop past 0 is compared.
  .refine((d) => !d.stop_frame || d.stop_frame >= d.start_frame, {
    message: 'stop_frame must be greater than or equal to start_frame.',
    path: ['stop_frame'],
  })
  .refine((d) => d.cloud_storage_id == null || d.server_files.length > 0, {
    message: 'server_files are required with cloud_storage_id.',
    path: ['server_files'],
  });

export type DataRequest = z.infer<typeof dataRequestSchema>;

/** Multipart field names as CVAT clients send them: `client_files[0]`, `server_files[]`, `image_quality`. */
export function collectField(fields: Record<string, unknown>, name: string, value: string): void {
  const m = /^([a-z_]+)\[\d*\]$/.exec(name);
  if (m) {
    const key = m[1]!;
    const list = Array.isArray(fields[key]) ? (fields[key] as string[]) : [];
    list.push(value);
    fields[key] = list;
  } else fields[name] = value;
}

/**
 * The frames a request selects from `count` sorted files: `[start, stop]` by `step=N`, and the stop
 * frame recorded as CVAT records it: the last frame selected (start + (n - 1) * step), not the last
 * file. A stop of 0 (CVAT's default) means "to the last file".
 */
export function selectFrames(
  count: number,
  req: Pick<DataRequest, 'start_frame' | 'stop_frame' | 'frame_filter'>,
) {
  const step = req.frame_filter ? Number(req.frame_filter.slice(5)) : 1;
  const last = req.stop_frame ? Math.min(req.stop_frame, count - 1) : count - 1;
  const indices: number[] = [];
  for (let i = req.start_frame; i <= last; i += step) indices.push(i);
  const stop = indices.length > 0 ? indices[indices.length - 1]! : last;
  return { indices, stop };
}
