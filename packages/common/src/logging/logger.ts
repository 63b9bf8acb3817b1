import { type Logger, type LoggerOptions, pino } from 'pino';
import { SECRET_KEYS, scrubSecrets } from './scrub.js';

export type { Logger } from 'pino';

/** Redact secret keys at the top level, one and two levels down, and in request headers. */
function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`);
  paths.push(
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-api-key"]',
    'res.headers["set-cookie"]',
  );
  return paths;
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  // Only plain objects are copied; class instances (errors, requests) go to their serializers intact.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}

const errorSerializer = (err: unknown) => {
  // The serializer's object has a prototype of its own: copy it to a plain object to scrub it.
  const serialized = { ...(pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>) };
  return scrubValue(serialized);
};

/**
 * The process logger: JSON lines, secrets redacted by key and scrubbed from free text (messages,
 * error messages and stacks included).
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths(), censor: '***' },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => scrubValue(a)) as Parameters<typeof method>);
      },
    },
    ...(options.name ? { name: options.name } : {}),
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
