import type { ImageInput } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';

/**
 * CVAT makes a task 3D when its media are point clouds (.pcd, and .bin converted to .pcd on
 * upload; ValidateDimension in media_extractors.py), with any related images listed in the
 * manifest lines' meta. A backup does not say it: the restore tells it by the frames' extensions.
 */
const POINT_CLOUD = /\.(pcd|bin)$/;

export const isPointCloud = (path: string): boolean => POINT_CLOUD.test(path);

/** Follows a task's frames in manifest order; refuses point clouds mixed with images. */
export class FrameDimension {
  #first: { path: string; cloud: boolean } | undefined;

  add(path: string): void {
    const cloud = isPointCloud(path);
    if (!this.#first) this.#first = { path, cloud };
    else if (cloud !== this.#first.cloud)
      throw new AppError('BACKUP_MIXED_DIMENSIONS', {
        example: cloud ? `${path} after ${this.#first.path}` : `${this.#first.path} before ${path}`,
      });
  }

  get dimension(): '2d' | '3d' {
    return this.#first?.cloud ? '3d' : '2d';
  }
}

/** The dimension of a task's frames, by the first (checkTask made sure the others agree). */
export async function imagesDimension(images: AsyncIterable<ImageInput>): Promise<'2d' | '3d'> {
  for await (const image of images) return isPointCloud(image.path) ? '3d' : '2d';
  return '2d';
}
