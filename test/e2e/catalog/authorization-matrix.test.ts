/**
 * The authorization matrix over real HTTP: the API is built in-process on its own database and media
 * directory and listens on a free port; every request goes through `fetch`. The matrix (shared with
 * apps/api's in-process run) is generated from the app's route table, so no route is left out.
 */
import { apiTestModules } from './api-test-modules.js';

const { authorizationMatrix } = await apiTestModules.matrix();
const { openTestApi } = await apiTestModules.fixture();

authorizationMatrix(async () => {
  const api = await openTestApi();
  const base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    routes: api.app.routeTable,
    send: async ({ method, url, query, payload, token }) => {
      const target = new URL(url, base);
      for (const [k, v] of Object.entries(query ?? {})) target.searchParams.set(k, v);
      const headers: Record<string, string> = token ? { authorization: `Token ${token}` } : {};
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(target, {
        method,
        headers,
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
      return { status: res.status, body: await res.text() };
    },
    close: () => api.close(),
  };
});
