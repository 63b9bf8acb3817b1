import type {
  Shape as CatalogShape,
  Track as CatalogTrack,
  TrackedShape as CatalogTrackedShape,
  JobAnnotations,
} from '@cvat-backup/catalog';
import type { JobAnnotationsInput, Shape, Tag, Track, TrackedShape } from '@cvat-backup/format';
import type { LabelNames } from './archive-labels.js';

/**
 * One job's annotations in the archive's shape, pulled one object at a time from the catalog's
 * cursors: ids dropped, label and attribute ids replaced by names. `score` is not part of CVAT's
 * archive (its allow-list drops it), so it is not written.
 */
export function toArchiveJobAnnotations(job: JobAnnotations, names: LabelNames): JobAnnotationsInput {
  return {
    version: job.version,
    tags: mapAsync(
      job.tags(),
      (tag): Tag => ({
        frame: tag.frame,
        group: tag.group,
        source: tag.source,
        attributes: names.attributes(tag.label_id, tag.attributes),
        label: names.label(tag.label_id).name,
      }),
    ),
    shapes: mapAsync(job.shapes(), (shape) => archiveShape(shape, names)),
    tracks: mapAsync(job.tracks(), (track) => archiveTrack(track, names)),
  };
}

function archiveShape(shape: CatalogShape, names: LabelNames): Shape {
  const out: Shape = {
    type: shape.type,
    occluded: shape.occluded,
    outside: shape.outside,
    z_order: shape.z_order,
    rotation: shape.rotation,
    points: shape.points,
    frame: shape.frame,
    group: shape.group,
    source: shape.source,
    attributes: names.attributes(shape.label_id, shape.attributes),
    label: names.label(shape.label_id).name,
  };
  if (shape.elements.length > 0 || shape.type === 'skeleton') {
    out.elements = shape.elements.map((element) => {
      const { elements: _none, ...rest } = archiveShape({ ...element, elements: [] }, names);
      return rest;
    });
  }
  return out;
}

function archiveTrackedShape(shape: CatalogTrackedShape, labelId: number, names: LabelNames): TrackedShape {
  return {
    type: shape.type,
    occluded: shape.occluded,
    outside: shape.outside,
    z_order: shape.z_order,
    rotation: shape.rotation,
    points: shape.points,
    frame: shape.frame,
    attributes: names.attributes(labelId, shape.attributes),
  };
}

function archiveTrack(track: CatalogTrack, names: LabelNames): Track {
  const out: Track = {
    frame: track.frame,
    group: track.group,
    source: track.source,
    shapes: track.shapes.map((s) => archiveTrackedShape(s, track.label_id, names)),
    attributes: names.attributes(track.label_id, track.attributes),
    label: names.label(track.label_id).name,
  };
  if (track.elements.length > 0) {
    out.elements = track.elements.map((element) => ({
      frame: element.frame,
      group: element.group,
      source: element.source,
      shapes: element.shapes.map((s) => archiveTrackedShape(s, element.label_id, names)),
      attributes: names.attributes(element.label_id, element.attributes),
      label: names.label(element.label_id).name,
    }));
  }
  return out;
}

async function* mapAsync<T, U>(source: AsyncIterable<T>, fn: (item: T) => U): AsyncIterable<U> {
  for await (const item of source) yield fn(item);
}
