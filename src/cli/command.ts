import type { Logger } from '../logger.js';

/** Where a command reads its environment and writes its output (process streams in the bin, buffers in tests). */
export interface CliIo {
  env: Record<string, string | undefined>;
  /** Relative paths (DATA_DIR, .env) resolve against this. */
  cwd: string;
  /** One line or block for the user, on stdout. */
  out(text: string): void;
  /** Problems, on stderr. */
  err(text: string): void;
  /** Passed to the store and clients; silent unless LOG_LEVEL asks for more (on stderr). */
  log: Logger;
  /** Where requests for PUBLIC_URL really go (doctor's end-to-end probe). Unset = PUBLIC_URL itself; tests route it to a local bot. */
  reach?: (publicUrl: string) => string;
  /**
   * A secret for `key=-` from standard input (stdin.ts: piped, or typed without echo at a terminal);
   * `prompt` is shown only at a terminal. Unset = standard input is not available to this caller.
   */
  readSecret?: (prompt: string) => Promise<string>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help, e.g. "--account <id>  Chatwoot account id (or CHATWOOT_ACCOUNT_ID)". */
  help: string;
  /** For string options: how the value is called in --help. */
  value?: string;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional part of the synopsis, e.g. "<inbox-id…>". */
  synopsis: string;
  /** A few lines for `<command> --help`: what it does, examples. */
  details: string;
  options: Record<string, OptionSpec>;
  run(io: CliIo, args: ParsedArgs): Promise<number>;
}

/** A problem the user can fix, said in one plain sentence (no stack trace). `exitCode` 2 = wrong usage. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * `--json`: one JSON document on stdout instead of the text, for scripts. Each command's shape is
 * documented in README → Commands and pinned by its test; errors stay plain sentences on stderr
 * with the same exit codes, so a script checks the code first.
 */
export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'Print one JSON document on stdout instead of text (shape: README → Commands)' },
};

export function wantsJson(args: ParsedArgs): boolean {
  return args.values.json === true;
}

export function printJson(io: Pick<CliIo, 'out'>, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
