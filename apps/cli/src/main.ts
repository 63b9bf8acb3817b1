#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT } from './core/cli-error.js';
import { buildProgram } from './program.js';

/** Ctrl-C: end the bar's line, say that a started request goes on, exit 130. */
process.once('SIGINT', () => {
  if (process.argv.includes('--json'))
    process.stdout.write(
      `${JSON.stringify({ error: { code: 'CLI_INTERRUPTED', message: 'Interrupted' } })}\n`,
    );
  else if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  if (!process.argv.includes('--json'))
    process.stderr.write(
      'interrupted (a request already started goes on on the server: see `requests list`)\n',
    );
  process.exit(EXIT.INTERRUPTED);
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and version exit 0; every other parse failure is a usage error.
  if (err.exitCode === 0) process.exitCode = 0;
  else {
    if (process.argv.includes('--json')) {
      const message = err.message.replace(/^error: /, '');
      process.stdout.write(`${JSON.stringify({ error: { code: 'CLI_USAGE', message } })}\n`);
    }
    process.exitCode = EXIT.USAGE;
  }
}
