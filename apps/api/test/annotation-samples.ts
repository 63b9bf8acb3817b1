/** Labels of a task as `GET /api/labels` returns them, and annotations of every kind using them. */
export interface LabelView {
  id: number;
  name: string;
  attributes: Array<{ id: number; name: string }>;
  sublabels: Array<{ id: number; name: string; attributes: Array<{ id: number; name: string }> }>;
}

export const sampleLabels = [
  {
    name: 'car',
    type: 'rectangle',
    attributes: [
      { name: 'color', mutable: false, input_type: 'select', default_value: 'red', values: ['red', 'blue'] },
    ],
  },
  {
    name: 'weather',
    type: 'tag',
    attributes: [{ name: 'sunny', mutable: true, input_type: 'checkbox', values: ['false'] }],
  },
  {
    name: 'person',
    type: 'skeleton',
    svg: '<circle r="1.5" cx="10" cy="10" data-label-name="head" data-node-id="1"></circle><circle r="1.5" cx="20" cy="20" data-label-name="hand" data-node-id="2"></circle>',
    sublabels: [
      { name: 'head', type: 'points', attributes: [] },
      {
        name: 'hand',
        type: 'points',
        attributes: [{ name: 'side', mutable: false, input_type: 'radio', values: ['left', 'right'] }],
      },
    ],
  },
];

/** Annotations of every kind: tag, rectangle with attribute, polygon, skeleton shape, track, skeleton track. */
export function sampleAnnotations(labels: LabelView[], frames = { a: 0, b: 1 }) {
  const by = (name: string) => labels.find((l) => l.name === name)!;
  const car = by('car');
  const weather = by('weather');
  const person = by('person');
  const head = person.sublabels.find((s) => s.name === 'head')!;
  const hand = person.sublabels.find((s) => s.name === 'hand')!;
  const geometry = { occluded: false, outside: false, z_order: 0, rotation: 0 };
  return {
    version: 0,
    tags: [
      {
        label_id: weather.id,
        frame: frames.a,
        group: 0,
        source: 'manual',
        attributes: [{ spec_id: weather.attributes[0]!.id, value: 'true' }],
      },
    ],
    shapes: [
      {
        label_id: car.id,
        type: 'rectangle',
        frame: frames.a,
        group: 0,
        source: 'manual',
        score: 1,
        ...geometry,
        rotation: 15.5,
        points: [1, 2, 30.25, 40],
        attributes: [{ spec_id: car.attributes[0]!.id, value: 'blue' }],
        elements: [],
      },
      {
        label_id: car.id,
        type: 'polygon',
        frame: frames.b,
        group: 1,
        source: 'auto',
        score: 0.5,
        ...geometry,
        occluded: true,
        points: [0, 0, 10, 0, 10, 10],
        attributes: [],
        elements: [],
      },
      {
        label_id: person.id,
        type: 'skeleton',
        frame: frames.a,
        group: 0,
        source: 'manual',
        score: 1,
        ...geometry,
        points: [],
        attributes: [],
        elements: [
          {
            label_id: head.id,
            type: 'points',
            frame: frames.a,
            group: 0,
            source: 'manual',
            score: 1,
            ...geometry,
            points: [10, 10],
            attributes: [],
          },
          {
            label_id: hand.id,
            type: 'points',
            frame: frames.a,
            group: 0,
            source: 'manual',
            score: 1,
            ...geometry,
            outside: true,
            points: [20, 20],
            attributes: [{ spec_id: hand.attributes[0]!.id, value: 'left' }],
          },
        ],
      },
    ],
    tracks: [
      {
        label_id: car.id,
        frame: frames.a,
        group: 0,
        source: 'manual',
        shapes: [
          {
            type: 'rectangle',
            frame: frames.a,
            ...geometry,
            points: [0, 0, 5, 5],
            attributes: [{ spec_id: car.attributes[0]!.id, value: 'red' }],
          },
          {
            type: 'rectangle',
            frame: frames.b,
            ...geometry,
            outside: true,
            points: [1, 1, 6, 6],
            attributes: [],
          },
        ],
        attributes: [],
        elements: [],
      },
      {
        label_id: person.id,
        frame: frames.a,
        group: 0,
        source: 'manual',
        shapes: [{ type: 'skeleton', frame: frames.a, ...geometry, points: [], attributes: [] }],
        attributes: [],
        elements: [
          {
            label_id: head.id,
            frame: frames.a,
            group: 0,
            source: 'manual',
            shapes: [{ type: 'points', frame: frames.a, ...geometry, points: [3, 3], attributes: [] }],
            attributes: [],
          },
          {
            label_id: hand.id,
            frame: frames.a,
            group: 0,
            source: 'manual',
            shapes: [{ type: 'points', frame: frames.a, ...geometry, points: [4, 4], attributes: [] }],
            attributes: [],
          },
        ],
      },
    ],
  };
}

/** Drops server-assigned ids (recursively) so what was sent and what was read can be compared. */
export function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'id')
        .map(([k, v]) => [k, withoutIds(v)]),
    );
  return value;
}
