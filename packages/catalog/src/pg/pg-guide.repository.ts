import { Readable } from 'node:stream';
import type { Actor } from '../repositories/common.types.js';
import type {
  AssetInfo,
  GuideOwner,
  GuideRecord,
  GuideRepository,
  NewAsset,
} from '../repositories/guide.repository.js';
import { checkAssetFields, checkGuideMarkdown } from '../validation/record-rules.js';
import { readCursor } from './cursor-reader.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { mapped } from './pg-errors.js';
import { touchProject, touchTask } from './sql-fragments.js';
import { projectVisible, taskVisible } from './visibility.js';

const ASSET_COLUMNS =
  'a.id::text AS uuid, a.filename, a.content_type, octet_length(a.content) AS size, a.created_date';

const SELECT = `SELECT g.id, g.project_id, g.task_id, g.markdown, g.created_date, g.updated_date,
    coalesce((SELECT json_agg(json_build_object('uuid', a.id, 'filename', a.filename, 'content_type', a.content_type,
       'size', octet_length(a.content), 'created_date', a.created_date) ORDER BY a.created_date, a.id)
     FROM guide_assets a WHERE a.guide_id = g.id), '[]') AS assets
  FROM annotation_guides g`;

/** Rows of an asset's bytes at a time (a row is a slice); the server slices, the API streams. */
const ASSET_CHUNK_BYTES = 256 * 1024;

/** A guide is visible to whoever sees its project or its task. */
const guideVisible = (g: string, admin: string, user: string): string =>
  `(EXISTS (SELECT 1 FROM projects p WHERE p.id = ${g}.project_id AND ${projectVisible('p', admin, user)})
    OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = ${g}.task_id AND ${taskVisible('t', admin, user)}))`;

type Row = Omit<GuideRecord, 'assets'> & {
  assets: Array<Omit<AssetInfo, 'created_date'> & { created_date: string }>;
};

function toRecord(row: Row | undefined): GuideRecord | null {
  if (!row) return null;
  return { ...row, assets: row.assets.map((a) => ({ ...a, created_date: new Date(a.created_date) })) };
}

export class PgGuideRepository implements GuideRepository {
  constructor(
    private readonly conn: Connections,
    private readonly maxAssetBytes: number,
  ) {}

  save(owner: GuideOwner, markdown: string): Promise<GuideRecord> {
    const [column, id] = 'projectId' in owner ? ['project_id', owner.projectId] : ['task_id', owner.taskId];
    return atomically(this.conn, async (client) => {
      checkGuideMarkdown(markdown);
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO annotation_guides (${column}, markdown) VALUES ($1, $2)
           ON CONFLICT (${column}) DO UPDATE SET markdown = EXCLUDED.markdown, updated_date = now() RETURNING id`,
          [id, markdown],
        ),
      );
      await touchOwner(client, owner);
      return (await selectWhere(client, 'g.id = $1', [rows[0]!.id]))!;
    });
  }

  get(actor: Actor, id: number): Promise<GuideRecord | null> {
    return selectWhere(this.conn.db, `g.id = $3 AND ${guideVisible('g', '$1', '$2')}`, [
      actor.isAdmin,
      actor.id,
      id,
    ]);
  }

  forOwner(owner: GuideOwner): Promise<GuideRecord | null> {
    return 'projectId' in owner
      ? selectWhere(this.conn.db, 'g.project_id = $1', [owner.projectId])
      : selectWhere(this.conn.db, 'g.task_id = $1', [owner.taskId]);
  }

  checkAsset(asset: { filename: string; size: number }): void {
    checkAssetFields(asset, this.maxAssetBytes);
  }

  async addAsset(guideId: number, asset: NewAsset): Promise<AssetInfo> {
    this.checkAsset({ filename: asset.filename, size: asset.content.length });
    return atomically(this.conn, async (client) => {
      const { rows } = await mapped(
        client.query<AssetInfo>(
          `INSERT INTO guide_assets AS a (guide_id, filename, content_type, content, owner_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${ASSET_COLUMNS}`,
          [
            guideId,
            asset.filename,
            asset.content_type ?? 'application/octet-stream',
            asset.content,
            asset.owner_id ?? null,
          ],
        ),
      );
      await touchGuide(client, guideId);
      return rows[0]!;
    });
  }

  async readAsset(uuid: string): Promise<{ info: AssetInfo; content: Buffer } | null> {
    const { rows } = await mapped(
      this.conn.db.query<AssetInfo & { content: Buffer }>(
        `SELECT ${ASSET_COLUMNS}, a.content FROM guide_assets a WHERE a.id = $1`,
        [uuid],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    const { content, ...info } = row;
    return { info, content };
  }

  async openAsset(
    actor: Actor,
    uuid: string,
  ): Promise<{ info: AssetInfo; guide_id: number; content: Readable } | null> {
    const { rows } = await mapped(
      this.conn.db.query<AssetInfo & { guide_id: number }>(
        `SELECT ${ASSET_COLUMNS}, a.guide_id FROM guide_assets a JOIN annotation_guides g ON g.id = a.guide_id
         WHERE a.id = $3 AND ${guideVisible('g', '$1', '$2')}`,
        [actor.isAdmin, actor.id, uuid],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    const { guide_id, ...info } = row;
    const slices = readCursor<{ chunk: Buffer }>(
      this.conn,
      `SELECT substring(a.content FROM s FOR $2) AS chunk
         FROM guide_assets a, generate_series(1, octet_length(a.content), $2) AS s
        WHERE a.id = $1 ORDER BY s`,
      [uuid, ASSET_CHUNK_BYTES],
      1,
    );
    async function* chunks(): AsyncGenerator<Buffer> {
      for await (const row of slices) yield row.chunk;
    }
    return { info, guide_id, content: Readable.from(chunks(), { objectMode: false }) };
  }

  async deleteAsset(uuid: string): Promise<boolean> {
    return atomically(this.conn, async (client) => {
      const { rows } = await mapped(
        client.query<{ guide_id: number }>('DELETE FROM guide_assets WHERE id = $1 RETURNING guide_id', [
          uuid,
        ]),
      );
      if (rows[0]) await touchGuide(client, rows[0].guide_id);
      return rows.length > 0;
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const guide = await this.get(actor, id);
    if (!guide) return false;
    await atomically(this.conn, async (client) => {
      await client.query('DELETE FROM annotation_guides WHERE id = $1', [id]);
      await touchOwner(
        client,
        guide.project_id !== null ? { projectId: guide.project_id } : { taskId: guide.task_id! },
      );
    });
    return true;
  }
}

async function selectWhere(db: Queryable, where: string, params: unknown[]): Promise<GuideRecord | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE ${where}`, params);
  return toRecord(rows[0]);
}

async function touchOwner(db: Queryable, owner: GuideOwner): Promise<void> {
  if ('projectId' in owner) await touchProject(db, owner.projectId);
  else await touchTask(db, owner.taskId);
}

async function touchGuide(db: Queryable, guideId: number): Promise<void> {
  const { rows } = await db.query<{ project_id: number | null; task_id: number | null }>(
    'UPDATE annotation_guides SET updated_date = now() WHERE id = $1 RETURNING project_id, task_id',
    [guideId],
  );
  const g = rows[0];
  if (g) await touchOwner(db, g.project_id !== null ? { projectId: g.project_id } : { taskId: g.task_id! });
}
