import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { shapeSchema, tagSchema, trackSchema } from './annotations.schema.js';
import { imageManifestItemSchema, videoKeyFrameSchema } from './media-manifest.schema.js';
import { projectMetaSchema } from './project-meta.schema.js';
import { taskMetaSchema } from './task-meta.schema.js';

/**
 * Drift test for the archive contract others depend on: the accepted shape of every archive
 * document, as JSON Schema. A change here must be deliberate (`vitest -u`) and reviewed.
 */
describe('archive JSON schemas', () => {
  it('match the committed contract', async () => {
    const schemas = Object.fromEntries(
      Object.entries({
        'task.json': taskMetaSchema,
        'project.json': projectMetaSchema,
        'annotations.json tag': tagSchema,
        'annotations.json shape': shapeSchema,
        'annotations.json track': trackSchema,
        'manifest.jsonl image': imageManifestItemSchema,
        'manifest.jsonl video key frame': videoKeyFrameSchema,
      }).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })]),
    );
    await expect(`${JSON.stringify(schemas, null, 2)}\n`).toMatchFileSnapshot(
      './fixtures/archive-schemas.json',
    );
  });
});
