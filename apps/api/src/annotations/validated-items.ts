import type { AnnotationItem } from '@cvat-backup/catalog';
import { fieldError, parseOr400 } from '../http/validate.js';
import { labeledDataFields, labeledShape, labeledTag, labeledTrack } from './labeled-data.schema.js';
import type { ScanEvent } from './labeled-data-scanner.js';

const KINDS = { tags: 'tag', shapes: 'shape', tracks: 'track' } as const;
const SCHEMAS = { tags: labeledTag, shapes: labeledShape, tracks: labeledTrack } as const;

/** What an action requires of the `id`s it is given. */
export type IdRule = 'ignored' | 'absent' | 'present';

/**
 * Turns scanned events into catalog write items, each checked against CVAT's `LabeledData` schemas; a
 * bad object answers 400 naming its place (`{"shapes.12.points": ["…"]}`) before anything commits.
 */
export async function* validatedItems(
  events: AsyncIterable<ScanEvent>,
  ids: IdRule,
): AsyncIterable<AnnotationItem> {
  for await (const event of events) {
    if (event.kind === 'field') {
      if (event.key === 'version') parseOr400(labeledDataFields.version, event.value, ['version']);
      continue;
    }
    if (event.list === 'intervals') {
      parseOr400(labeledDataFields.intervals, [event.value], ['intervals']);
      continue;
    }
    const at = [event.list, event.index];
    const value = parseOr400(SCHEMAS[event.list], event.value, at);
    if (ids === 'absent' && value.id != null) throw fieldError([...at, 'id'], 'must be absent');
    if (ids === 'present' && value.id == null)
      throw fieldError([...at, 'id'], 'must be present and not null');
    yield { kind: KINDS[event.list], value } as AnnotationItem;
  }
}
