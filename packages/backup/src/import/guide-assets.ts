import { posix } from 'node:path';
import { AppError } from '@cvat-backup/common';
import type { ArchiveFile, ArchiveGuide } from '@cvat-backup/format';

/**
 * CVAT's rules for the assets of a restored guide (_read_annotation_guide, backup.py): at most
 * ASSET_MAX_COUNT_PER_GUIDE (150) of them, each of a type in ASSET_SUPPORTED_TYPES (PNG, JPEG,
 * GIF, WebP, PDF) as mimetypes.guess_type tells it from the name (case-insensitively); anything
 * else fails the restore. Their size limit is the catalog's setting (checkAsset).
 */
export const MAX_ASSETS_PER_GUIDE = 150;

/** What mimetypes.guess_type gives for the extensions of ASSET_SUPPORTED_TYPES. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};

/**
 * The content type an asset is stored and served with, by its extension as CVAT tells it
 * (mimetypes.guess_type, case-insensitive); undefined for a type CVAT does not keep.
 */
export const assetContentType = (path: string): string | undefined =>
  CONTENT_TYPES[posix.extname(path).toLowerCase()];

/** CVAT stores an asset under its base name (_import_annotation_guide), whatever folder it was in. */
export const assetFilename = (asset: Pick<ArchiveFile, 'path'>): string => posix.basename(asset.path);

export function checkGuideAssets(guide: ArchiveGuide): void {
  const [first] = guide.assets;
  if (!first) return;
  if (guide.assets.length > MAX_ASSETS_PER_GUIDE)
    throw new AppError('BACKUP_GUIDE_TOO_MANY_ASSETS', {
      entry: first.entry.slice(0, first.entry.length - first.path.length),
      count: guide.assets.length,
      limit: MAX_ASSETS_PER_GUIDE,
    });
  const unsupported = guide.assets.find((a) => !assetContentType(a.path));
  if (unsupported) throw new AppError('BACKUP_GUIDE_ASSET_UNSUPPORTED', { entry: unsupported.entry });
}
