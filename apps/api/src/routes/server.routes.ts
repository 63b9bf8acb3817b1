import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * The CVAT version this server answers with. cvat-sdk's `Client.check_server_version` parses it with
 * `packaging.version.Version` and calls a server compatible when it matches `~= X.Y.0` for the SDK's own
 * X.Y or X.(Y+1); a mismatch only logs a warning (unless `allow_unsupported_server` is off). 2.80.0 is
 * the latest cvat-sdk/cvat-cli on PyPI when this was written (October 2026), so the current SDK (2.80)
 * and the one before (2.79) accept it silently; older SDKs warn and go on.
 */
export const CVAT_COMPATIBLE_VERSION = '2.80.0';

/** CVAT's `AboutSerializer`; `logo_url` is left out, as this server serves no logo. */
export const aboutResponse = z.object({
  name: z.string().max(128),
  description: z.string().max(2048),
  version: z.string().max(64),
  subtitle: z.string().max(1024).optional(),
  logo_url: z.string().optional(),
});

/**
 * `GET /api/server/about`, open to everyone as in CVAT since 2.3 (`permission_classes=[]`): cvat-sdk
 * probes it to pick http or https (it needs 200 or 401) and reads `version`; the UI calls it at start.
 */
export function serverRoutes() {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/server/about',
      { config: { public: true }, schema: { response: { 200: aboutResponse } } },
      async () => ({
        name: 'Computer Vision Annotation Tool',
        subtitle: 'cvat-backup',
        description:
          "Backup and restore of CVAT tasks and projects in CVAT's archive format, with CVAT-compatible endpoints.",
        version: CVAT_COMPATIBLE_VERSION,
      }),
    );
  };
}
