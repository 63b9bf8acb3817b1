import { ApiClient } from '../core/api-client.js';
import { resolveSession, type Session } from '../core/session.js';
import { Output } from '../output/output.js';
import { formatBytes, formatDuration } from '../output/units.js';

export interface GlobalOptions {
  server?: string;
  json?: boolean;
  quiet?: boolean;
}

/** What every command gets: the output rules and, on demand, the session and its client. */
export class CommandContext {
  readonly output: Output;

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.output = new Output({ json: Boolean(options.json), quiet: Boolean(options.quiet) });
  }

  session(): Promise<Session> {
    return resolveSession(this.options.server, this.env);
  }

  async client(): Promise<ApiClient> {
    const { server, token } = await this.session();
    return new ApiClient(server, token);
  }
}

/** `upload: 5.0 MiB in 0:02 (2.5 MiB/s)`. */
export function transferSummary(label: string, bytes: number, startedAt: number): string {
  const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
  return `${label}: ${formatBytes(bytes)} in ${formatDuration(seconds)} (${formatBytes(bytes / seconds)}/s)`;
}
