import { z } from 'zod';

const secret = (max: number) => z.string().max(max).optional();

/** CVAT's `CloudStorageWrite` (POST, JSON; `key_file` is the service-account JSON as text). */
export const cloudStorageCreateBody = z
  .object({
    provider_type: z.enum(['AWS_S3_BUCKET', 'AZURE_CONTAINER', 'GOOGLE_CLOUD_STORAGE', 'GOOGLE_DRIVE']),
    resource: z
      .string()
      .min(1)
      .max(222)
      .regex(/^[A-Za-z0-9._-]+$/, 'Expected a bucket or container name (letters, digits, "-", "_" and ".").'),
    display_name: z.string().min(1).max(63),
    credentials_type: z.enum([
      'KEY_SECRET_KEY_PAIR',
      'ACCOUNT_NAME_TOKEN_PAIR',
      'KEY_FILE_PATH',
      'ANONYMOUS_ACCESS',
      'CONNECTION_STRING',
    ]),
    session_token: secret(440),
    account_name: secret(24),
    key: secret(40),
    secret_key: secret(64),
    connection_string: secret(1024),
    key_file: secret(64 * 1024),
    specific_attributes: z.string().max(1024).default(''),
    description: z.string().max(4096).default(''),
    manifests: z.array(z.string().min(1).max(1024)).default([]),
  })
  .strict();

export const cloudStoragePatchBody = cloudStorageCreateBody
  .omit({ provider_type: true })
  .extend({
    specific_attributes: z.string().max(1024),
    description: z.string().max(4096),
    manifests: z.array(z.string().min(1).max(1024)),
  })
  .partial()
  .strict();

export const contentQuery = z.object({
  prefix: z.string().max(1024).default(''),
  next_token: z.coerce.number({ error: 'next_token must be a number' }).int().min(0).default(0),
  page_size: z.coerce.number({ error: 'page_size must be a number' }).int().min(1).max(1000).default(1000),
  manifest_path: z.string().max(1024).optional(),
});

export type CloudStorageCreate = z.infer<typeof cloudStorageCreateBody>;
export type CloudStoragePatchInput = z.infer<typeof cloudStoragePatchBody>;

const SECRET_FIELDS = [
  'key',
  'secret_key',
  'session_token',
  'account_name',
  'connection_string',
  'key_file',
] as const;

/** The write-only secrets of a write body (only those given, non-empty). */
export function credentialsOf(body: Partial<Record<(typeof SECRET_FIELDS)[number], string | undefined>>) {
  const out: Record<string, string> = {};
  for (const f of SECRET_FIELDS) {
    const v = body[f];
    if (v) out[f] = v;
  }
  return out;
}
