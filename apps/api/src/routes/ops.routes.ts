import type { FastifyInstance } from 'fastify';
import type { CheckResult, DependencyCheck } from '../health/dependency-checks.js';

/**
 * `/healthz`: the process is up. `/readyz`: 200 only when every dependency answers; 503 naming the
 * ones that do not (load balancers and Kubernetes read the status, people read the body).
 */
export function opsRoutes(checks: Record<string, DependencyCheck>) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => checks[name]!()));
      const report: Record<string, CheckResult> = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
      const down = names.filter((n) => !report[n]!.ok);
      if (down.length === 0) return { status: 'ready', checks: report };
      return reply.code(503).send({
        status: 'unavailable',
        detail: `Not ready: ${down.map((n) => `${n} (${report[n]!.error ?? 'failed'})`).join(', ')}`,
        down,
        checks: report,
      });
    });
  };
}
