import { describe, expect, it } from 'vitest';
import { parseCount, parseDestination, parseId, parseSize, parseSource } from './args.js';

const usage = expect.objectContaining({ code: 'CLI_USAGE', exitCode: 2 });

describe('argument parsing', () => {
  it('ids are positive 32-bit integers', () => {
    expect(parseId('42')).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'x', '', '2147483648']) expect(() => parseId(bad)).toThrow(usage);
  });

  it('--target is local or cloud:<id>', () => {
    expect(parseDestination(undefined)).toEqual({ location: 'local' });
    expect(parseDestination('local')).toEqual({ location: 'local' });
    expect(parseDestination('cloud:3')).toEqual({ location: 'cloud_storage', cloudStorageId: 3 });
    for (const bad of ['cloud:', 'cloud:x', 's3:3']) expect(() => parseDestination(bad)).toThrow(usage);
  });

  it('a restore source is a file or cloud:<id>:<key>, the key may hold colons and slashes', () => {
    expect(parseSource('backup.zip')).toEqual({ kind: 'file', path: 'backup.zip' });
    expect(parseSource('cloud:2:dir/a:b.zip')).toEqual({
      kind: 'cloud',
      cloudStorageId: 2,
      key: 'dir/a:b.zip',
    });
    for (const bad of ['cloud:2', 'cloud:2:', 'cloud:x:key']) expect(() => parseSource(bad)).toThrow(usage);
  });

  it('sizes take k/M/G suffixes and are at least 1 KiB', () => {
    expect(['1k', '8M', '8MiB', '1g', '2048'].map(parseSize)).toEqual([
      1024,
      8 << 20,
      8 << 20,
      1 << 30,
      2048,
    ]);
    for (const bad of ['1', '100', 'lots', '1T']) expect(() => parseSize(bad)).toThrow(usage);
    expect(parseCount('0', 'n')).toBe(0);
    expect(() => parseCount('-1', '--keep-last')).toThrow(/--keep-last/);
  });
});
