import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { contentDisposition, defaultBackupFileName, sanitizeBackupFileName } from './backup-file-name.js';

const updated = new Date(Date.UTC(2025, 2, 1, 14, 5, 9));

describe('default backup file name', () => {
  it.each([
    [{ kind: 'task', name: 'Cars', updatedDate: updated }, 'task_cars_backup_2025_03_01_14_05_09.zip'],
    [
      { kind: 'project', name: 'My Project', updatedDate: updated, lightweight: true },
      'project_my project_backup-lightweight_2025_03_01_14_05_09.zip',
    ],
    [
      { kind: 'task', name: 'ÉTÉ/2024\\x', updatedDate: updated },
      'task_été_2024_x_backup_2025_03_01_14_05_09.zip',
    ],
  ] as const)('%j → %s', (input, expected) => {
    expect(defaultBackupFileName(input)).toBe(expected);
  });

  it('uses UTC whatever the local time zone, and fits 255 bytes', () => {
    const name = defaultBackupFileName({
      kind: 'task',
      name: 'é'.repeat(300),
      updatedDate: new Date(Date.UTC(2024, 11, 31, 23, 59, 59)),
    });
    expect(name.endsWith('_backup_2024_12_31_23_59_59.zip')).toBe(true);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  });

  it('refuses an invalid date with a coded error', () => {
    expect(() =>
      defaultBackupFileName({ kind: 'task', name: 'x', updatedDate: new Date(Number.NaN) }),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_FILE_NAME_INVALID' }));
  });
});

describe('custom name sanitising', () => {
  it.each([
    ['my backup', 'my backup.zip'],
    ['my backup.ZIP', 'my backup.zip'],
    ['../../etc/passwd', 'passwd.zip'],
    ['C:\\Users\\x\\evil.zip', 'evil.zip'],
    ['  a\tb\n\u0000c:d*?.zip ', 'a b c_d__.zip'],
    ['.hidden', 'hidden.zip'],
    ['Résumé 北京', 'Résumé 北京.zip'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeBackupFileName(input)).toBe(expected);
  });

  it.each([[''], ['   '], ['../'], ['..'], ['.zip'], ['???']])('refuses %j', (input) => {
    let error: unknown;
    try {
      sanitizeBackupFileName(input);
    } catch (e) {
      error = e;
    }
    expect(isAppError(error, 'FORMAT_FILE_NAME_INVALID')).toBe(true);
  });

  it('keeps long names within 255 UTF-8 bytes without splitting characters', () => {
    const name = sanitizeBackupFileName('ü'.repeat(400));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^ü+\.zip$/);
  });
});

describe('Content-Disposition', () => {
  it('escapes like CVAT and adds an RFC 5987 UTF-8 form', () => {
    expect(contentDisposition('task_a "b"\\c\n d.zip')).toBe(
      `attachment; filename="task_a \\"b\\"\\\\c d.zip"; filename*=UTF-8''task_a%20%22b%22%5Cc%20d.zip`,
    );
  });

  it('keeps the header value ASCII for non-ASCII names', () => {
    const value = contentDisposition("projet_été_(1)'s.zip");
    expect(value).toBe(
      `attachment; filename="projet__t__(1)'s.zip"; filename*=UTF-8''projet_%C3%A9t%C3%A9_%281%29%27s.zip`,
    );
    expect(/^[\x20-\x7e]*$/.test(value)).toBe(true);
  });
});
