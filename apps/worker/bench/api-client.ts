/** A small client of the API process: CVAT's token login, JSON calls, and request polling. */
import { ADMIN } from './bench-processes.js';

export interface RequestState {
  status: 'queued' | 'started' | 'finished' | 'failed';
  message: string;
  started_date: string | null;
  finished_date: string | null;
  result_id: number | null;
}

export interface ApiClient {
  userId: number;
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** A call that must answer `status`; returns the parsed body (`{}` when empty). */
  json<T = Record<string, unknown>>(
    path: string,
    status: number,
    init?: RequestInit & { json?: unknown },
  ): Promise<T>;
  /** Polls `GET /api/requests/{id}` every 100 ms until the request finished; throws when it failed. */
  settled(rqId: string): Promise<RequestState>;
}

export async function login(base: string): Promise<ApiClient> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  const { key } = (await res.json()) as { key: string };
  const call = (p: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('authorization', `Token ${key}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(new URL(p, base), {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  const json = async <T>(p: string, status: number, init?: RequestInit & { json?: unknown }) => {
    const res = await call(p, init);
    const text = await res.text();
    if (res.status !== status)
      throw new Error(
        `${init?.method ?? 'GET'} ${p}: ${res.status} (wanted ${status}) ${text.slice(0, 500)}`,
      );
    return (text ? JSON.parse(text) : {}) as T;
  };
  const self = await json<{ id: number }>('/api/users/self', 200);
  return {
    userId: self.id,
    call,
    json,
    async settled(rqId) {
      for (;;) {
        const state = await json<RequestState>(`/api/requests/${encodeURIComponent(rqId)}`, 200);
        if (state.status === 'failed') throw new Error(`request ${rqId} failed: ${state.message}`);
        if (state.status === 'finished') return state;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
