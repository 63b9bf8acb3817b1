import { describe, expect, it } from 'vitest';
import { Capture } from '../testing/capture-io.js';
import { Output } from './output.js';
import { PlainProgress, TtyProgress } from './progress.js';
import { formatBytes, formatDuration, plain } from './units.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/** The screen line a terminal shows after carriage returns and erase-line sequences. */
const visible = (text: string) => (text.split('\n').at(-1) ?? '').split('\r').at(-1)!.replace('\x1b[2K', '');

describe('units', () => {
  it('formats bytes, rates and durations', () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '5.0 GiB',
    ]);
    expect([0, 65, 3723, undefined, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual([
      '0:00',
      '1:05',
      '1:02:03',
      '--:--',
      '--:--',
    ]);
    expect(plain('a\x1b[31mb\u0007c\td\n')).toBe('a[31mbc\td\n');
  });
});

describe('TtyProgress', () => {
  it('draws percentage, bytes, rate and ETA, and keeps the finished bar', () => {
    const sink = new Capture(true, 120);
    let now = 0;
    const bar = new TtyProgress(sink, 'upload  ', () => now);
    bar.bytes(0, 10 * 1024 ** 2);
    now = 1000;
    bar.bytes(2 * 1024 ** 2, 10 * 1024 ** 2);
    expect(visible(sink.text)).toBe(
      'upload    [####----------------]   20%  2.0 MiB / 10.0 MiB  2.0 MiB/s  ETA 0:04',
    );
    now = 1050; // within 100 ms of the last drawing: not redrawn
    bar.bytes(3 * 1024 ** 2, 10 * 1024 ** 2);
    expect(visible(sink.text)).toContain('20%');
    now = 5000; // the last bytes are always drawn
    bar.bytes(10 * 1024 ** 2, 10 * 1024 ** 2);
    bar.done('upload: summary');
    expect(sink.text.endsWith('100%  10.0 MiB / 10.0 MiB  2.0 MiB/s  ETA 0:00\n')).toBe(true);
    expect(sink.text).not.toContain('summary');
  });

  it('shows the server phase, then gives way to the summary; lines fit the terminal', () => {
    const sink = new Capture(true, 30);
    let now = 0;
    const bar = new TtyProgress(sink, 'server  ', () => now);
    now = 200;
    bar.phase('writing-media', 0.5);
    expect(visible(sink.text)).toBe('server    [##########--------'.slice(0, 29));
    bar.done('server: done in 1 s');
    expect(sink.text.endsWith('\r\x1b[2Kserver: done in 1 s\n')).toBe(true);
  });

  it('shows bytes and rate without a bar when the size is unknown', () => {
    const sink = new Capture(true, 120);
    let now = 0;
    const bar = new TtyProgress(sink, 'download', () => now);
    bar.bytes(0, undefined);
    now = 2000;
    bar.bytes(4096, undefined);
    expect(visible(sink.text)).toBe('download  4.0 KiB  2.0 KiB/s');
  });
});

describe('Output', () => {
  it('--json: one document on stdout, errors too, nothing on stderr', () => {
    const stdout = new Capture();
    const stderr = new Capture(true);
    const out = new Output({ json: true, quiet: false }, stdout, stderr);
    out.progress('upload').bytes(5, 10);
    out.note('a note');
    out.result({ id: 1 }, 'human text');
    expect(stdout.text).toBe('{"id":1}\n');
    out.error({ code: 'X', message: 'bad', exitCode: 1 } as never);
    expect(stdout.text).toBe('{"id":1}\n{"error":{"code":"X","message":"bad"}}\n');
    expect(stderr.text).toBe('');
  });

  it('off a terminal: plain summaries, no control characters even from server text', () => {
    const stdout = new Capture();
    const stderr = new Capture(false);
    const out = new Output({ json: false, quiet: false }, stdout, stderr);
    const progress = out.progress('upload');
    expect(progress).toBeInstanceOf(PlainProgress);
    progress.bytes(5, 10);
    progress.done('upload: 10 B in 0:01');
    out.result({}, 'name with \x1b]0;title\x07 escape');
    out.error({ code: 'X', message: 'server said \x1b[2J', exitCode: 1 } as never);
    expect(CONTROL.test(stdout.text.replace(/\n/g, '') + stderr.text.replace(/\n/g, ''))).toBe(false);
    expect(stderr.text).toBe('upload: 10 B in 0:01\nerror: server said [2J [X]\n');
  });

  it('--quiet: results only', () => {
    const stdout = new Capture();
    const stderr = new Capture(true);
    const out = new Output({ json: false, quiet: true }, stdout, stderr);
    out.progress('upload').bytes(5, 10);
    out.note('note');
    out.result({}, ['a', 'b']);
    expect({ stdout: stdout.text, stderr: stderr.text }).toEqual({ stdout: 'a\nb\n', stderr: '' });
  });
});
