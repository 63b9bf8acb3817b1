import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Workspace packages resolve to their TypeScript sources in tests (the `source` export condition). */
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const conditions = ['source', 'node', 'development|production'];

const project = (dir: string, include = ['src/**/*.test.ts']) => ({
  extends: true as const,
  test: {
    name: JSON.parse(readFileSync(here(`./${dir}/package.json`), 'utf8')).name as string,
    root: here(`./${dir}`),
    include,
  },
});

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    globalSetup: [here('./packages/testkit/src/global-setup.ts')],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', here('./packages/testkit/src/count-reporter.ts')],
    projects: [
      project('packages/common'),
      project('packages/format'),
      project('packages/storage'),
      project('packages/catalog'),
      project('packages/queue'),
      project('packages/backup'),
      project('packages/testkit'),
      project('apps/api'),
      project('apps/worker'),
      project('apps/cli'),
      project('test', ['e2e/**/*.test.ts']),
    ],
  },
});
