import type { ImageInput } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { TaskContent } from '@cvat-backup/format';

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

/**
 * A project's tasks share one dimension: CVAT sets it by the first task and refuses a later task of
 * the other ("Dimension (3d) of the task must be the same as other tasks in project (2d)",
 * _create_thread in task.py), so a project restore with both fails there, after its media copy.
 */
export class ProjectDimension {
  #first: { task: TaskContent; dimension: '2d' | '3d' } | undefined;

  add(task: TaskContent, dimension: '2d' | '3d'): void {
    if (!this.#first) this.#first = { task, dimension };
    else if (dimension !== this.#first.dimension)
      throw new AppError('BACKUP_PROJECT_MIXED_DIMENSIONS', {
        task: taskName(task),
        dimension: dimension.toUpperCase(),
        first: taskName(this.#first.task),
        firstDimension: this.#first.dimension.toUpperCase(),
      });
  }
}

const taskName = (task: TaskContent) => `"${task.meta.name}" (${task.prefix})`;
