/**
 * apps/api's test helpers (fixture, sample annotations, image generators, the authorization matrix),
 * loaded by file path at run time: the e2e package does not depend on the api package, and its
 * typecheck stays inside its own root. The shapes below are the parts these suites use.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const load = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.join(repoRoot, 'apps', 'api', 'test', file)).href)) as T;

export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
  resource: string | undefined;
}

export interface MatrixTarget {
  routes: RouteEntry[];
  send(request: {
    method: string;
    url: string;
    query?: Record<string, string>;
    payload?: unknown;
    token?: string;
  }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface InProcessApi {
  app: { routeTable: RouteEntry[]; listen(o: { host: string; port: number }): Promise<string> };
  close(): Promise<void>;
}

export interface LabelView {
  id: number;
  name: string;
  attributes: Array<{ id: number; name: string }>;
  sublabels: Array<{ id: number; name: string; attributes: Array<{ id: number; name: string }> }>;
}

export const apiTestModules = {
  fixture: () => load<{ openTestApi(): Promise<InProcessApi> }>('api-fixture.ts'),
  matrix: () =>
    load<{ authorizationMatrix(open: () => Promise<MatrixTarget>): void }>('authorization-matrix.ts'),
  images: () =>
    load<{ png(w: number, h: number): Buffer; jpeg(w: number, h: number, exif?: number): Buffer }>(
      'test-images.ts',
    ),
  samples: () =>
    load<{
      sampleLabels: object[];
      sampleAnnotations(labels: LabelView[], frames?: { a: number; b: number }): Record<string, unknown>;
      withoutIds(value: unknown): unknown;
    }>('annotation-samples.ts'),
};
