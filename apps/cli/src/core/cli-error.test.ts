import { AppError, ERROR_REGISTRY } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { type CliCode, cliError, EXIT, exitCodeFor, toCliError } from './cli-error.js';

const cliCodes = Object.keys(ERROR_REGISTRY).filter((c): c is CliCode => c.startsWith('CLI_'));

describe('CLI error codes', () => {
  it('come from the shared registry, each with one of the documented exit codes', () => {
    expect(cliCodes).toContain('CLI_USAGE');
    expect(cliCodes.length).toBeGreaterThanOrEqual(11);
    const documented = new Set<number>(Object.values(EXIT));
    for (const code of cliCodes) {
      const err = cliError(code, 'specific message');
      expect(err.code).toBe(code);
      expect(err.message).toBe('specific message');
      expect(documented.has(err.exitCode), code).toBe(true);
      expect(err.exitCode, code).not.toBe(EXIT.OK);
    }
  });

  it('keep their exit codes when they come back as a code with its registry status', () => {
    // A failed request without a code is reported as CLI_REQUEST_FAILED (status 500): still exit 1, not 5.
    for (const code of cliCodes)
      expect(exitCodeFor(code, ERROR_REGISTRY[code].status), code).toBe(cliError(code, 'm').exitCode);
    expect(exitCodeFor('CLI_REQUEST_FAILED', 500)).toBe(EXIT.FAILED);
    expect(exitCodeFor('CLI_USAGE', 400)).toBe(EXIT.USAGE);
    expect(exitCodeFor('CLI_INTERRUPTED', 499)).toBe(EXIT.INTERRUPTED);
  });

  it('map server codes by kind and status, as before', () => {
    expect(exitCodeFor('ARCHIVE_ENTRY_INVALID', 400)).toBe(EXIT.ARCHIVE_INVALID);
    expect(exitCodeFor('UNAUTHENTICATED', 401)).toBe(EXIT.AUTH);
    expect(exitCodeFor('NOT_FOUND', 404)).toBe(EXIT.NOT_FOUND);
    expect(exitCodeFor('DEPENDENCY_UNAVAILABLE', 503)).toBe(EXIT.UNAVAILABLE);
    expect(exitCodeFor('VALIDATION_FAILED', 400)).toBe(EXIT.FAILED);
    expect(toCliError(new AppError('NOT_FOUND'))).toMatchObject({
      code: 'NOT_FOUND',
      exitCode: EXIT.NOT_FOUND,
    });
    expect(toCliError(Object.assign(new Error('gone'), { code: 'ENOENT', path: '/x' }))).toMatchObject({
      code: 'CLI_FILE_NOT_FOUND',
      exitCode: EXIT.NOT_FOUND,
    });
  });
});
