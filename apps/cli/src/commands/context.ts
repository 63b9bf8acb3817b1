import { ApiClient } from '../core/api-client.js';
import { resolveSession, type Session } from '../core/session.js';
import { Output, type Stream } from '../output/output.js';
import { formatBytes, formatDuration } from '../output/units.js';

export interface GlobalOptions {
  server?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The process's surroundings, passed in so tests can run commands in-process. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdout: Stream;
  stderr: Stream;
}

/** Runs one command's body and reports its error, if any, once. */
export type Runner = (body: () => Promise<unknown>) => Promise<void>;

/** What every command gets: the output rules and, on demand, the session and its client. */
export class CommandContext {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly options: GlobalOptions,
    io: Io,
  ) {
    this.env = io.env;
    this.output = new Output(
      { json: Boolean(options.json), quiet: Boolean(options.quiet) },
      io.stdout,
      io.stderr,
    );
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
