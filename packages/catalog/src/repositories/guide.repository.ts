import type { Readable } from 'node:stream';
import type { Actor } from './common.types.js';

export interface AssetInfo {
  uuid: string;
  filename: string;
  content_type: string;
  size: number;
  created_date: Date;
}

/** An annotation guide of a project or a task; markdown references assets as `/api/assets/<uuid>`. */
export interface GuideRecord {
  id: number;
  project_id: number | null;
  task_id: number | null;
  markdown: string;
  created_date: Date;
  updated_date: Date;
  assets: AssetInfo[];
}

export type GuideOwner = { projectId: number } | { taskId: number };

export interface NewAsset {
  filename: string;
  content_type?: string;
  content: Buffer;
  owner_id?: number | null;
}

export interface GuideRepository {
  /** Creates or replaces the markdown of the owner's guide. */
  save(owner: GuideOwner, markdown: string): Promise<GuideRecord>;
  get(actor: Actor, id: number): Promise<GuideRecord | null>;
  /** The guide of a project or task, without ownership check (exporter). */
  forOwner(owner: GuideOwner): Promise<GuideRecord | null>;
  /** Stores an asset (at most `maxAssetBytes`, else CATALOG_ASSET_TOO_LARGE). */
  addAsset(guideId: number, asset: NewAsset): Promise<AssetInfo>;
  /** Throws what addAsset would throw for an asset of that name and size, writing nothing. */
  checkAsset(asset: { filename: string; size: number }): void;
  /** Asset bytes (bounded by the size limit), or null. */
  readAsset(uuid: string): Promise<{ info: AssetInfo; content: Buffer } | null>;
  /**
   * An asset of a guide the actor can see (through its task or project), its bytes streamed in
   * chunks so no whole asset is held in memory; null when unknown or not visible.
   */
  openAsset(
    actor: Actor,
    uuid: string,
  ): Promise<{ info: AssetInfo; guide_id: number; content: Readable } | null>;
  deleteAsset(uuid: string): Promise<boolean>;
  delete(actor: Actor, id: number): Promise<boolean>;
}
