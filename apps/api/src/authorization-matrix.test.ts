import { openTestApi } from '../test/api-fixture.js';
import { authorizationMatrix } from '../test/authorization-matrix.js';

// In-process (app.inject); test/e2e/catalog runs the same matrix over HTTP.
authorizationMatrix(async () => {
  const api = await openTestApi();
  return {
    routes: api.app.routeTable,
    send: async ({ method, url, query, payload, token }) => {
      const res = await api.app.inject({
        method: method as 'GET',
        url,
        ...(query ? { query } : {}),
        ...(payload !== undefined ? { payload: payload as object } : {}),
        headers: token ? { authorization: `Token ${token}` } : {},
      });
      return { status: res.statusCode, body: res.body };
    },
    close: () => api.close(),
  };
});
