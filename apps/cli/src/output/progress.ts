import { formatBytes, formatDuration, plain } from './units.js';

/** Progress of one step: a byte transfer (upload, download) or the server's job. */
export interface Progress {
  /** Bytes done of `total` (undefined when the size is not known). */
  bytes(done: number, total: number | undefined): void;
  /** The server's phase and fraction in [0, 1]. */
  phase(name: string, fraction: number): void;
  /** Ends the step; a TTY bar is replaced by a final summary line. */
  done(summary?: string): void;
}

export interface ProgressSink {
  write(text: string): unknown;
  columns?: number;
}

const RATE_WINDOW_MS = 5000;
const REDRAW_MS = 100;

/** Bytes per second over the last few seconds (over the whole transfer until that is long enough). */
class RateMeter {
  private samples: Array<{ at: number; bytes: number }> = [];
  private first: { at: number; bytes: number } | undefined;

  add(at: number, bytes: number): number | undefined {
    this.first ??= { at, bytes };
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const from = at - this.samples[0]!.at >= 200 ? this.samples[0]! : this.first;
    const seconds = (at - from.at) / 1000;
    return seconds > 0 ? (bytes - from.bytes) / seconds : undefined;
  }
}

function bar(fraction: number, width: number): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/**
 * A one-line bar redrawn in place on a terminal (stderr): label, bar, percentage, bytes, rate, ETA;
 * or, while the server works, its phase and fraction. Redraws at most every 100 ms.
 */
export class TtyProgress implements Progress {
  private readonly meter = new RateMeter();
  private lastDraw = 0;
  private drawn = false;
  /** A byte bar's last drawing is its final state; a phase bar's is not. */
  private kind: 'bytes' | 'phase' = 'bytes';
  private readonly started: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  bytes(done: number, total: number | undefined): void {
    const at = this.now();
    this.kind = 'bytes';
    const rate = this.meter.add(at, done);
    if (at - this.lastDraw < REDRAW_MS && done !== total) return;
    const parts = [this.label];
    if (total) parts.push(bar(done / total, 20), `${Math.floor((done / total) * 100)}%`.padStart(4));
    parts.push(total ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done));
    parts.push(rate === undefined ? '-- /s' : `${formatBytes(rate)}/s`);
    if (total) parts.push(`ETA ${formatDuration(rate ? (total - done) / rate : undefined)}`);
    this.draw(parts.join('  '), at);
  }

  phase(name: string, fraction: number): void {
    const at = this.now();
    this.kind = 'phase';
    if (at - this.lastDraw < REDRAW_MS) return;
    const elapsed = formatDuration((at - this.started) / 1000);
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    this.draw([this.label, bar(fraction, 20), pct, plain(name), elapsed].join('  '), at);
  }

  done(summary?: string): void {
    // A finished transfer's bar stays on screen (at 100%), as curl's does; a phase bar gives way
    // to the summary.
    if (this.drawn && this.kind === 'bytes') this.sink.write('\n');
    else {
      if (this.drawn) this.sink.write('\r\x1b[2K');
      if (summary) this.sink.write(`${plain(summary)}\n`);
    }
    this.drawn = false;
  }

  private draw(line: string, at: number): void {
    const width = (this.sink.columns ?? 80) - 1;
    this.sink.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.drawn = true;
    this.lastDraw = at;
  }
}

/** No bar (not a terminal): only the summary line, plain text. */
export class PlainProgress implements Progress {
  constructor(private readonly sink: ProgressSink) {}
  bytes(): void {}
  phase(): void {}
  done(summary?: string): void {
    if (summary) this.sink.write(`${plain(summary)}\n`);
  }
}

export const silentProgress: Progress = { bytes() {}, phase() {}, done() {} };
