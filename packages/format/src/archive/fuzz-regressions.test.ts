/**
 * Minimal counterexamples found by archive-fuzz.test.ts, pinned: each was an uncoded error (or a
 * hang) before its fix and must stay a coded 4xx refusal.
 */
import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { composeZip } from '../testing/raw-zip.js';
import { task2022Json } from '../testing/samples.js';
import { BufferSource } from '../zip/random-access-source.js';
import { openBackup } from './backup-reader.js';

function taskArchive(taskJson: string, annotations = '[]'): Buffer {
  return composeZip([
    { name: 'task.json', data: taskJson },
    { name: 'annotations.json', data: annotations },
  ]);
}

async function refusal(zip: Buffer): Promise<AppError> {
  const error = await openBackup(new BufferSource(zip)).then(
    async (archive) => {
      const tasks = archive.kind === 'task' ? [archive.task] : archive.tasks;
      for (const task of tasks) await task.validateAnnotations();
      await archive.close();
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('fuzz counterexamples', () => {
  it('a "version" that is a deeply nested array is an unsupported version, not a stack overflow', async () => {
    const text = JSON.stringify({ ...task2022Json, version: '@' }).replace('"@"', deepArray(50_000));
    const error = await refusal(taskArchive(text));
    expect(error.code).toBe('ARCHIVE_VERSION_UNSUPPORTED');
    expect(error.message).toContain('(an array)');
  });

  it('a very long "version" string is cut short in the message', async () => {
    const error = await refusal(
      taskArchive(JSON.stringify({ ...task2022Json, version: 'v'.repeat(100_000) })),
    );
    expect(error.code).toBe('ARCHIVE_VERSION_UNSUPPORTED');
    expect(error.message.length).toBeLessThan(300);
  });

  it('a media path with a segment longer than a file system allows is refused before any copy', async () => {
    const zip = composeZip([
      { name: `data/images/${'a'.repeat(256)}.jpg`, data: 'jpeg' },
      { name: 'task.json', data: JSON.stringify(task2022Json) },
      { name: 'annotations.json', data: '[]' },
    ]);
    const error = await refusal(zip);
    expect(error.code).toBe('ARCHIVE_UNSAFE_PATH');
    expect(error.message).toContain('longer than 255 bytes');
    expect(error.message.length).toBeLessThan(400);
  });

  it('a media path longer than object storage keys allow is refused', async () => {
    const zip = composeZip([
      { name: `data/${'a/'.repeat(500)}0.jpg`, data: 'jpeg' },
      { name: 'task.json', data: JSON.stringify(task2022Json) },
      { name: 'annotations.json', data: '[]' },
    ]);
    expect((await refusal(zip)).code).toBe('ARCHIVE_UNSAFE_PATH');
  });
});
