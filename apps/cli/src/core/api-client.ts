import { CliError, cliError, exitCodeFor } from './cli-error.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
  /** Statuses answered as they are instead of thrown (e.g. 409 of a repeated export). */
  accept?: number[];
  /** Send no token (login). */
  anonymous?: boolean;
}

/** The message of an error body: `{detail}`, or DRF's `{"field": ["…"]}`. */
function bodyMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.detail === 'string') return record.detail;
  const parts: string[] = [];
  for (const [field, value] of Object.entries(record)) {
    const text = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
    if (text) parts.push(field === 'non_field_errors' ? text : `${field}: ${text}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** A non-2xx answer as a CliError: the server's code (else `HTTP_<status>`) and message. */
export async function responseError(res: Response): Promise<CliError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const serverCode = (body as { code?: unknown } | undefined)?.code;
  const code = typeof serverCode === 'string' ? serverCode : `HTTP_${res.status}`;
  const message = bodyMessage(body) ?? (text.slice(0, 300) || `${res.status} ${res.statusText}`);
  return new CliError(code, message, exitCodeFor(code, res.status));
}

/**
 * The HTTP API of one server with one token. Every URL is resolved against the configured server,
 * also the absolute ones the server hands out (result_url, TUS Location), so the token only ever
 * goes where the user pointed the CLI.
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string | undefined,
  ) {}

  url(pathOrUrl: string, query: Query = {}): URL {
    const given = new URL(pathOrUrl, 'http://placeholder');
    const url = new URL(`${this.server}${given.pathname}${given.search}`);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  /** Fails with CLI_NOT_LOGGED_IN unless a token is known. */
  requireToken(): void {
    if (!this.token)
      throw cliError(
        'CLI_NOT_LOGGED_IN',
        `Not logged in to ${this.server}: run \`cvat-backup login\` or set CVAT_BACKUP_TOKEN`,
      );
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    if (!options.anonymous) this.requireToken();
    const headers = new Headers(options.headers);
    if (!options.anonymous) headers.set('authorization', `Token ${this.token}`);
    let body = options.body;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    }
    let res: Response;
    try {
      res = await fetch(this.url(path, options.query), {
        method,
        headers,
        ...(body !== undefined ? { body, duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      throw unreachable(this.server, err);
    }
    if (res.ok || options.accept?.includes(res.status)) return res;
    throw await responseError(res);
  }

  /** A call whose answer is JSON (an empty body is `{}`). */
  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await this.call(method, path, options);
    const text = await res.text();
    try {
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
    } catch {
      throw cliError('CLI_UNEXPECTED_RESPONSE', `${method} ${path} answered ${res.status} with no JSON`);
    }
  }
}

/** A failed connection (refused, reset, DNS) as exit code 5. */
export function unreachable(server: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return cliError(
    'CLI_SERVER_UNREACHABLE',
    `Cannot reach ${server} (${reason}): check --server / CVAT_BACKUP_SERVER and that the server runs`,
  );
}
