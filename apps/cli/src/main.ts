#!/usr/bin/env node
import { EXIT } from './core/cli-error.js';
import { runCli } from './program.js';

const args = process.argv.slice(2);

/** Ctrl-C: end the bar's line, say that a started request goes on, exit 130. */
process.once('SIGINT', () => {
  if (args.includes('--json'))
    process.stdout.write(
      `${JSON.stringify({ error: { code: 'CLI_INTERRUPTED', message: 'Interrupted' } })}\n`,
    );
  else {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stderr.write(
      'interrupted (a request already started goes on on the server: see `requests list`)\n',
    );
  }
  process.exit(EXIT.INTERRUPTED);
});

process.exitCode = await runCli(args, { env: process.env, stdout: process.stdout, stderr: process.stderr });
