/**
 * Writes the hostile corpus to a directory: one `<name>.zip` per case plus `cases.json` with the
 * expected error codes. Usage (from packages/format): `node --conditions=source --import tsx src/testing/write-hostile-corpus.ts <dir>`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOSTILE_CASES } from './hostile-corpus.js';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: write-hostile-corpus.ts <directory>\n');
  process.exit(2);
}
await mkdir(target, { recursive: true });
for (const c of HOSTILE_CASES) await writeFile(join(target, `${c.name}.zip`), c.build());
await writeFile(
  join(target, 'cases.json'),
  `${JSON.stringify(
    HOSTILE_CASES.map((c) => ({
      file: `${c.name}.zip`,
      attack: c.attack,
      code: c.code,
      options: c.options ?? {},
    })),
    null,
    2,
  )}\n`,
);
process.stdout.write(`${HOSTILE_CASES.length} hostile archives written to ${target}\n`);
