import type { Readable } from 'node:stream';
import { CliError } from './command.js';

/**
 * Reads a secret from standard input for `key=-`, so it never sits on the command line (shell history,
 * `ps`, CI logs). Piped (`printf %s "$KEY" | …`, `< file`): everything up to end of input. At a
 * terminal: one line typed without echo, with the prompt on stderr. Either way without the final
 * line break.
 */
export async function readSecretInput(prompt: string, input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown } = process.stdin): Promise<string> {
  if (input.isTTY && input.setRawMode) return readHiddenLine(prompt, input as Readable & { setRawMode: (raw: boolean) => unknown });
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function readHiddenLine(prompt: string, input: Readable & { setRawMode: (raw: boolean) => unknown }): Promise<string> {
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let line = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return done();
        // Ctrl-C / Ctrl-D: the person gave up; nothing is saved.
        if (ch === '\u0003' || ch === '\u0004') return done(new CliError('Cancelled: nothing was saved.'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    input.on('data', onData);
  });
}
