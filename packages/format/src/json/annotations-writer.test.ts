import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import type { Shape } from '../schema/annotations.schema.js';
import { collect } from '../testing/temp-dir.js';
import { serializeAnnotations } from './annotations-writer.js';

// The example of the format doc (§4), byte for byte.
const DOC_ANNOTATIONS =
  '[{"version":0,"tags":[{"frame":0,"group":0,"source":"manual","attributes":[],"label":"car"}],"shapes":[{"type":"rectangle","occluded":false,"outside":false,"z_order":0,"rotation":0.0,"points":[10.0,10.0,50.0,60.0],"frame":0,"group":0,"source":"manual","attributes":[{"value":"a","name":"model"}],"label":"car"},{"type":"skeleton","occluded":false,"outside":false,"z_order":0,"rotation":0.0,"points":[],"frame":1,"group":0,"source":"manual","attributes":[],"elements":[{"type":"points","occluded":false,"outside":false,"z_order":0,"rotation":0.0,"points":[20.0,30.0],"frame":1,"group":0,"source":"manual","attributes":[],"label":"nose"}],"label":"person"}],"tracks":[{"frame":2,"group":0,"source":"manual","shapes":[{"type":"rectangle","occluded":false,"outside":false,"z_order":0,"rotation":0.0,"points":[1.0,2.0,3.0,4.0],"frame":2,"attributes":[]},{"type":"rectangle","occluded":false,"outside":true,"z_order":0,"rotation":0.0,"points":[1.0,2.0,3.0,4.0],"frame":4,"attributes":[]}],"attributes":[],"label":"car"}]},{"version":0,"tags":[],"shapes":[],"tracks":[]}]';

const base = {
  occluded: false,
  outside: false,
  z_order: 0,
  rotation: 0,
  group: 0,
  source: 'manual',
} as const;

describe('annotations.json writer', () => {
  it("reproduces the format doc's example byte for byte", async () => {
    const text = await collect(
      serializeAnnotations([
        {
          version: 0,
          tags: [{ label: 'car', attributes: [], source: 'manual', group: 0, frame: 0 }],
          shapes: (async function* () {
            yield {
              ...base,
              type: 'rectangle',
              points: [10, 10, 50, 60],
              frame: 0,
              attributes: [{ name: 'model', value: 'a' }],
              label: 'car',
            } as Shape;
            yield {
              ...base,
              type: 'skeleton',
              points: [],
              frame: 1,
              attributes: [],
              elements: [
                { ...base, type: 'points', points: [20, 30], frame: 1, attributes: [], label: 'nose' },
              ],
              label: 'person',
            } as Shape;
          })(),
          tracks: [
            {
              frame: 2,
              group: 0,
              source: 'manual',
              shapes: [
                {
                  type: 'rectangle',
                  occluded: false,
                  outside: false,
                  z_order: 0,
                  rotation: 0,
                  points: [1, 2, 3, 4],
                  frame: 2,
                  attributes: [],
                },
                {
                  type: 'rectangle',
                  occluded: false,
                  outside: true,
                  z_order: 0,
                  rotation: 0,
                  points: [1, 2, 3, 4],
                  frame: 4,
                  attributes: [],
                },
              ],
              attributes: [],
              label: 'car',
            },
          ],
        },
        {},
      ]),
    );
    expect(text.toString('latin1')).toBe(DOC_ANNOTATIONS);
  });

  it('escapes every non-ASCII character as \\uXXXX (surrogate pairs for astral ones)', async () => {
    const bytes = await collect(
      serializeAnnotations([
        {
          tags: [
            {
              frame: 0,
              group: null,
              source: 'manual',
              attributes: [{ name: 'état', value: 'ok\u007f' }],
              label: 'vélo 🚲',
            },
          ],
        },
      ]),
    );
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(bytes.toString('latin1')).toBe(
      '[{"version":0,"tags":[{"frame":0,"group":null,"source":"manual","attributes":[{"value":"ok\\u007f","name":"\\u00e9tat"}],"label":"v\\u00e9lo \\ud83d\\udeb2"}],"shapes":[],"tracks":[]}]',
    );
    expect(JSON.parse(bytes.toString('latin1'))[0].tags[0].label).toBe('vélo 🚲');
  });

  it('writes fractions in shortest form and integral floats with .0', async () => {
    const text = (
      await collect(
        serializeAnnotations([
          {
            shapes: [
              {
                ...base,
                type: 'points',
                points: [0.1, -3, 1e-7, 2.5e21],
                frame: 0,
                attributes: [],
                label: 'x',
                rotation: 359.5,
              },
            ],
          },
        ]),
      )
    ).toString();
    expect(text).toContain('"rotation":359.5,"points":[0.1,-3.0,1e-7,2.5e+21]');
  });

  it('pulls items lazily and emits bounded pieces for a large job', async () => {
    let pulled = 0;
    const shapes = (async function* () {
      for (let i = 0; i < 20_000; i++) {
        pulled++;
        yield {
          ...base,
          type: 'rectangle',
          points: [i, i, i + 1, i + 1],
          frame: i,
          attributes: [],
          label: 'car',
        } as Shape;
      }
    })();
    const pieces: number[] = [];
    let pulledAtFirstPiece = -1;
    for await (const piece of serializeAnnotations([{ shapes }])) {
      if (pulledAtFirstPiece < 0) pulledAtFirstPiece = pulled;
      pieces.push(piece.length);
    }
    expect(pieces.length).toBeGreaterThan(5);
    expect(Math.max(...pieces)).toBeLessThan(300_000);
    expect(pulledAtFirstPiece).toBeLessThan(20_000);
  });

  it('refuses non-finite coordinates with a coded error', async () => {
    const err = await collect(
      serializeAnnotations([
        { shapes: [{ ...base, type: 'points', points: [Number.NaN], frame: 0, attributes: [], label: 'x' }] },
      ]),
    ).catch((e: unknown) => e);
    expect(isAppError(err, 'FORMAT_INPUT_INVALID')).toBe(true);
  });
});
