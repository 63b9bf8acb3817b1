import { z } from 'zod';
import { AppError } from '../errors/index.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads configuration from environment variables once, against a zod object whose keys are the
 * variable names. Empty strings count as unset. Every problem is reported at once, naming the
 * variable, what was expected and what was given (secrets are not echoed).
 */
export function readConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env = process.env,
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '?');
    const given = input[variable];
    const shown =
      given === undefined
        ? 'it is not set'
        : isSecretName(variable)
          ? 'a value was given'
          : `got ${JSON.stringify(given)}`;
    return `${variable}: ${issue.message} (${shown})`;
  });
  throw new AppError('CONFIG_INVALID', { problems: problems.join('; ') });
}

export function isSecretName(name: string): boolean {
  return /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|CONNECTION_STRING/i.test(name);
}

/** Field builders for the variables our processes share. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a TCP port number' })
      .int('expected a whole number')
      .min(1, 'expected a port between 1 and 65535')
      .max(65535, 'expected a port between 1 and 65535')
      .default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a number' })
      .int('expected a whole number')
      .positive('expected a positive number')
      .default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => ['1', 'true', 'yes', 'on'].includes(v)),
  url: (protocols: string[]) =>
    z.string().refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    }),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  /** A byte size such as `5368709120`, `512MiB`, `5GiB` or `10GB`. */
  bytes: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        const n = parseByteSize(v);
        if (n === undefined) {
          ctx.addIssue({ code: 'custom', message: 'expected a size like 5368709120, 512MiB or 5GiB' });
          return z.NEVER;
        }
        return n;
      }),
};

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
