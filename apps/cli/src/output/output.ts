import type { CliError } from '../core/cli-error.js';
import { PlainProgress, type Progress, silentProgress, TtyProgress } from './progress.js';
import { plain } from './units.js';

export interface OutputMode {
  json: boolean;
  quiet: boolean;
}

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where a command's words go. `--json`: exactly one JSON document on stdout (the result, or
 * `{"error":{code,message}}`) and nothing else there. Otherwise the result as text on stdout, notes
 * and progress on stderr; bars only on a terminal, and no control characters anywhere else.
 */
export class Output {
  constructor(
    readonly mode: OutputMode,
    private readonly stdout: Stream,
    private readonly stderr: Stream,
  ) {}

  /** A progress display for one step (`upload`, `server`, `download`). */
  progress(label: string): Progress {
    if (this.mode.json || this.mode.quiet) return silentProgress;
    if (this.stderr.isTTY) return new TtyProgress(this.stderr, label.padEnd(8));
    return new PlainProgress(this.stderr);
  }

  /** A note for a person (stderr); none with --json or --quiet. */
  note(text: string): void {
    if (!this.mode.json && !this.mode.quiet) this.stderr.write(`${plain(text)}\n`);
  }

  /** The command's result: the JSON document, or the lines for a person. */
  result(data: unknown, lines: string | string[]): void {
    if (this.mode.json) {
      this.stdout.write(`${JSON.stringify(data)}\n`);
      return;
    }
    const text = Array.isArray(lines) ? lines : [lines];
    for (const line of text) this.stdout.write(`${plain(line)}\n`);
  }

  error(err: CliError): void {
    if (this.mode.json) {
      this.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
      return;
    }
    this.stderr.write(`error: ${plain(err.message)} [${err.code}]\n`);
  }
}
