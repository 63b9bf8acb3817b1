import { describe, expect, it } from 'vitest';
import { serializeProjectMeta, serializeTaskMeta, type TaskMetaInput } from './meta-serializer.js';

// The newest-era example of the format doc (§3.6), byte for byte.
const DOC_TASK_JSON =
  '{"name":"cars","bug_tracker":"","status":"annotation","subset":"train","labels":[{"name":"car","color":"#fa3253","attributes":[{"name":"model","mutable":false,"input_type":"select","default_value":"a","values":["a","b"]}],"type":"any","sublabels":[]},{"name":"person","color":"#33ddff","attributes":[],"type":"skeleton","sublabels":[{"name":"nose","color":"#d12345","attributes":[],"type":"points"}],"svg":"<circle r=\\"1.5\\" data-type=\\"element node\\" data-element-id=\\"1\\" data-node-id=\\"1\\" data-label-name=\\"nose\\" cx=\\"50\\" cy=\\"50\\"></circle>"}],"version":"1.0","data":{"chunk_size":72,"image_quality":70,"start_frame":0,"stop_frame":9,"storage_method":"cache","sorting_method":"lexicographical","chunk_type":"imageset","deleted_frames":[],"storage":"local"},"jobs":[{"status":"annotation","type":"annotation","start_frame":0,"stop_frame":4},{"status":"annotation","type":"annotation","start_frame":5,"stop_frame":9},{"status":"annotation","type":"ground_truth","start_frame":1,"stop_frame":7,"frames":[1,3,7]}]}';

function docTask(): TaskMetaInput {
  // Keys deliberately in a different order, with extra keys CVAT's allow-lists drop.
  return {
    jobs: [
      { type: 'annotation', status: 'annotation', start_frame: 0, stop_frame: 4 },
      { stop_frame: 9, start_frame: 5, type: 'annotation', status: 'annotation' },
      { frames: [1, 3, 7], status: 'annotation', type: 'ground_truth', start_frame: 1, stop_frame: 7 },
    ],
    data: {
      storage: 'local',
      deleted_frames: [],
      chunk_type: 'imageset',
      sorting_method: 'lexicographical',
      storage_method: 'cache',
      stop_frame: 9,
      start_frame: 0,
      image_quality: 70,
      chunk_size: 72,
    },
    labels: [
      {
        type: 'any',
        sublabels: [],
        name: 'car',
        color: '#fa3253',
        attributes: [
          { values: ['a', 'b'], default_value: 'a', input_type: 'select', mutable: false, name: 'model' },
        ],
      },
      {
        svg: '<circle r="1.5" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="nose" cx="50" cy="50"></circle>',
        name: 'person',
        color: '#33ddff',
        attributes: [],
        type: 'skeleton',
        sublabels: [{ type: 'points', name: 'nose', color: '#d12345', attributes: [] }],
      },
    ],
    subset: 'train',
    status: 'annotation',
    bug_tracker: '',
    name: 'cars',
    ...({ id: 42, owner: { id: 1 } } as object),
  };
}

describe('task.json serializer', () => {
  it("reproduces the format doc's newest example byte for byte (key order, compact, no newline)", () => {
    expect(serializeTaskMeta(docTask()).toString('utf8')).toBe(DOC_TASK_JSON);
  });

  it('writes consensus_replicas between labels and version, and validation_layout before storage', () => {
    const meta = docTask();
    meta.consensus_replicas = 2;
    meta.data = {
      ...meta.data,
      custom_segments: true,
      validation_layout: { frames: ['a.jpg'], frames_per_job_count: 2, mode: 'gt_pool' },
    };
    const text = serializeTaskMeta(meta).toString('utf8');
    expect(text).toContain('}],"consensus_replicas":2,"version":"1.0","data":');
    expect(text).toContain(
      '"deleted_frames":[],"custom_segments":true,"validation_layout":{"mode":"gt_pool","frames_per_job_count":2,"frames":["a.jpg"]},"storage":"local"}',
    );
  });

  it('keeps non-ASCII as raw UTF-8 but escapes U+2028/U+2029 like DRF', () => {
    const meta = docTask();
    meta.name = 'Zürich\u2028北京\u2029';
    const bytes = serializeTaskMeta(meta);
    expect(bytes.subarray(0, 40).toString('utf8')).toMatch(/^\{"name":"Zürich\\u2028北京\\u2029",/);
    expect(bytes.includes(Buffer.from('Zürich', 'utf8'))).toBe(true);
  });

  it('omits an empty frame_filter and keeps a set one after stop_frame', () => {
    const meta = docTask();
    meta.data = { ...meta.data, frame_filter: '' } as typeof meta.data;
    expect(serializeTaskMeta(meta).toString()).not.toContain('frame_filter');
    meta.data = { ...meta.data, frame_filter: 'step=2' } as typeof meta.data;
    expect(serializeTaskMeta(meta).toString()).toContain(
      '"stop_frame":9,"frame_filter":"step=2","storage_method"',
    );
  });
});

describe('project.json serializer', () => {
  it("reproduces the format doc's example", () => {
    const text = serializeProjectMeta({
      labels: [{ name: 'car', color: '#fa3253', attributes: [], type: 'any', sublabels: [] }],
      status: 'annotation',
      bug_tracker: '',
      name: 'my project',
    }).toString('utf8');
    expect(text).toBe(
      '{"name":"my project","bug_tracker":"","status":"annotation","labels":[{"name":"car","color":"#fa3253","attributes":[],"type":"any","sublabels":[]}],"version":"1.0"}',
    );
  });
});
