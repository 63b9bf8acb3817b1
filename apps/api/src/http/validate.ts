import type { z } from 'zod';

type Path = ReadonlyArray<PropertyKey>;

/** A validation failure shaped like Fastify's own, so the error handler answers DRF's `{field: [msg]}`. */
class BodyValidationError extends Error {
  readonly statusCode = 400;
  constructor(readonly validation: Array<{ instancePath: string; message: string; params: object }>) {
    super('The request body is invalid');
  }
}

const pointer = (path: Path) => `/${path.map(String).join('/')}`;

/** A 400 for one field, e.g. `fieldError(['shapes', 3, 'id'], 'must be absent')`. */
export function fieldError(path: Path, message: string): Error {
  return new BodyValidationError([{ instancePath: pointer(path), message, params: {} }]);
}

/**
 * Parses input that did not go through a route schema (multipart fields, streamed bodies); `at` is
 * where the value sits in the body, so messages name e.g. `shapes.12.points`.
 */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, at: Path = []): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BodyValidationError(
    result.error.issues.map((issue) => ({
      instancePath: pointer([...at, ...issue.path]),
      message: issue.message,
      params: {},
    })),
  );
}
