/**
 * One measured phase of the annotation bench, in its own process so its peak RSS is its own.
 * Usage: annotations-child.ts <phase> <databaseUrl> <jobId> <shapes> <labelId> <specId>
 * Prints one JSON line: { phase, rows, bytes, ms, baselineRssKb, maxRssKb }.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type AnnotationItem, PgCatalog } from '../src/index.js';
import { copyLine } from '../src/pg/copy-writer.js';

const [phase, url, jobArg, shapesArg, labelArg, specArg] = process.argv.slice(2);
const jobId = Number(jobArg);
const total = Number(shapesArg);
const labelId = Number(labelArg);
const specId = Number(specArg);

/** A sink that counts bytes and, like a zip entry writer, applies backpressure. */
class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    setImmediate(done);
  }
}

async function* shapes(): AsyncIterable<AnnotationItem> {
  for (let i = 0; i < total; i++)
    yield {
      kind: 'shape',
      value: {
        label_id: labelId,
        type: 'rectangle',
        frame: i % 10_000,
        points: [i, i + 0.5, i + 10.25, i + 20],
        attributes: [{ spec_id: specId, value: i % 2 ? 'red' : 'blue' }],
      },
    };
}

/** Write phases start from an empty job; emptying it is not measured. */
let started = 0;

async function run(pool: pg.Pool): Promise<{ rows: number; bytes: number }> {
  const catalog = new PgCatalog(pool, { credentialsKey: randomBytes(32) });
  if (phase === 'write' || phase === 'reference-write') await catalog.annotations.clear(jobId);
  started = performance.now();
  switch (phase) {
    case 'write': {
      const counts = await catalog.annotations.append(jobId, shapes());
      return { rows: counts.shapes, bytes: 0 };
    }
    case 'read': {
      // What the exporter does: stream the job's shapes out as JSON, with backpressure.
      const sink = new CountingSink();
      let rows = 0;
      async function* json() {
        yield '{"version":0,"tags":[],"shapes":[';
        for await (const shape of catalog.annotations.read(jobId).shapes()) {
          yield (rows++ ? ',' : '') + JSON.stringify(shape);
        }
        yield '],"tracks":[]}';
      }
      await pipeline(json, sink);
      return { rows, bytes: sink.bytes };
    }
    case 'reference-write': {
      // Lower bound: the same rows as pre-encoded COPY lines, no validation, ids from the sequence.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const stream = client.query(
          copyFrom('COPY annotation_shapes (job_id, label_id, type, frame, points, attributes) FROM STDIN'),
        );
        async function* lines() {
          let buffer = '';
          for (let i = 0; i < total; i++) {
            buffer += copyLine([
              jobId,
              labelId,
              'rectangle',
              i % 10_000,
              [i, i + 0.5, i + 10.25, i + 20],
              JSON.stringify([{ spec_id: specId, value: i % 2 ? 'red' : 'blue' }]),
            ]);
            if (buffer.length > 65536) {
              yield buffer;
              buffer = '';
            }
          }
          yield buffer;
        }
        await pipeline(lines, stream);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      return { rows: total, bytes: 0 };
    }
    case 'reference-read': {
      // Upper bound: PostgreSQL's own text output of the same rows, in the same order, discarded.
      const client = await pool.connect();
      try {
        const sink = new CountingSink();
        await pipeline(
          client.query(
            copyTo(
              `COPY (SELECT id, label_id, type, frame, "group", source, score, occluded, outside, z_order, rotation,
                 points, attributes FROM annotation_shapes WHERE job_id = ${jobId} ORDER BY coalesce(parent_id, id), id)
               TO STDOUT`,
            ),
          ),
          sink,
        );
        return { rows: total, bytes: sink.bytes };
      } finally {
        client.release();
      }
    }
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

const pool = new pg.Pool({ connectionString: url, max: 2 });
const baselineRssKb = process.resourceUsage().maxRSS;
const { rows, bytes } = await run(pool);
const ms = performance.now() - started;
await pool.end();
process.stdout.write(
  `${JSON.stringify({ phase, rows, bytes, ms, baselineRssKb, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
