import { createInterface } from 'node:readline/promises';
import { cliError } from './cli-error.js';

/** All of standard input, without one trailing newline (`--password-stdin`). */
export async function readStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stdin) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line typed on the terminal, the question on stderr; off a terminal, `option` is needed. */
export async function promptLine(question: string, option: string): Promise<string> {
  if (!process.stdin.isTTY) throw cliError('CLI_USAGE', `No terminal to ask on: pass ${option}`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A secret typed on the terminal with echo off; nothing of it is ever printed. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY)
    throw cliError('CLI_USAGE', 'No terminal to ask for the password: pipe it with --password-stdin');
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let secret = '';
      const onData = (text: string) => {
        for (const ch of text) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(secret);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(cliError('CLI_INTERRUPTED', 'Interrupted'));
          }
          if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1);
          else secret += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
