import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import {
  checkNameTemplate,
  DEFAULT_NAME_TEMPLATE,
  renderArchiveName,
  runArchiveNames,
} from './name-template.js';

const date = new Date('2026-03-04T05:06:07Z');
const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return isAppError(err) ? `${err.code}: ${err.message}` : String(err);
  }
};

describe('archive name templates', () => {
  it('renders id, name, date and target, sanitised and ending in .zip', () => {
    expect(renderArchiveName(DEFAULT_NAME_TEMPLATE, { target: 'task', id: 5, name: 'Cars', date })).toBe(
      'task_Cars_backup_2026_03_04_05_06_07.zip',
    );
    expect(
      renderArchiveName('{{ id }}-{{name}}-{{date}}.ZIP', { target: 'project', id: 9, name: 'a/b\\c', date }),
    ).toBe('9-a_b_c-2026_03_04_05_06_07.zip');
    expect(renderArchiveName('x {{name}} {{date}}', { target: 'task', id: 1, name: 'q:"<>', date })).toBe(
      'x q____ 2026_03_04_05_06_07.zip',
    );
  });

  it('refuses unknown placeholders and templates without {{date}}', () => {
    expect(codeOf(() => checkNameTemplate(DEFAULT_NAME_TEMPLATE))).toBe('ok');
    expect(codeOf(() => checkNameTemplate('{{id}}_{{when}}_{{date}}'))).toMatch(
      /^SCHEDULE_NAME_TEMPLATE_INVALID: .*unknown placeholder \{\{when\}\}/,
    );
    expect(codeOf(() => checkNameTemplate('{{id}}_{{name}}'))).toMatch(/must contain \{\{date\}\}/);
    expect(codeOf(() => checkNameTemplate('{{date}}'))).toBe('ok');
    expect(codeOf(() => checkNameTemplate('nightly/{{date}}'))).toMatch(/may not contain/);
  });

  it('keeps the names of one run distinct when resources render alike', () => {
    const a = { target: 'task' as const, id: 1, name: 'same' };
    const b = { target: 'task' as const, id: 2, name: 'same' };
    const c = { target: 'task' as const, id: 3, name: 'other' };
    const names = runArchiveNames('{{name}}_{{date}}', [a, b, c], date);
    expect(names.get(a)).toBe('same_2026_03_04_05_06_07_task-1.zip');
    expect(names.get(b)).toBe('same_2026_03_04_05_06_07_task-2.zip');
    expect(names.get(c)).toBe('other_2026_03_04_05_06_07.zip');
  });
});
