import { z } from 'zod';

/** `:id` path parameters: positive integers; anything else answers 400 naming the parameter. */
export const idParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});
