import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { createLogger } from './logger.js';
import { scrubSecrets } from './scrub.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  return { logger, text: () => lines.join('') };
}

describe('logger redaction', () => {
  it('redacts secret keys at any of the first three levels', () => {
    const { logger, text } = capture();
    logger.info(
      {
        password: 'p4ssw0rd-top',
        storage: { secret_key: 'AKIAsecretvalue', credentials: { key: 'inner-key' } },
        user: 'alice',
      },
      'created',
    );
    const out = text();
    expect(out).not.toMatch(/p4ssw0rd-top|AKIAsecretvalue|inner-key/);
    expect(out).toContain('"user":"alice"');
    expect(out).toContain('***');
  });

  it('scrubs secrets from free text, error messages and stacks', () => {
    const { logger, text } = capture();
    const err = new Error('cannot reach postgres://app:hunter2@db:5432/cvat');
    logger.error({ err }, 'connect failed for redis://:redispass@cache:6379');
    logger.warn(
      'azure DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=c2VjcmV0a2V5Cg==;EndpointSuffix=x',
    );
    const out = text();
    expect(out).not.toMatch(/hunter2|redispass|c2VjcmV0a2V5Cg/);
    expect(out).toContain('postgres://app:***@db:5432/cvat');
    expect(out).toContain('AccountKey=***');
  });

  it('keeps the code and details of an AppError', () => {
    const { logger, text } = capture();
    logger.error({ err: new AppError('NOT_FOUND', { resource: 'task 7' }) }, 'lookup');
    expect(text()).toContain('"code":"NOT_FOUND"');
  });
});

describe('scrubSecrets', () => {
  it.each([
    ['Authorization: Token 0123456789abcdef0123', 'Authorization: Token ***'],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Bearer ***'],
    [
      'https://acc.blob.core.windows.net/c?sv=2022&sig=abcDEF%2B123',
      'https://acc.blob.core.windows.net/c?sv=2022&sig=***',
    ],
    ['plain text stays', 'plain text stays'],
  ])('%s', (input, expected) => expect(scrubSecrets(input)).toBe(expected));
});
