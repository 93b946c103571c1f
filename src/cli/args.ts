import { parseArgs } from 'node:util';
import { CliError, type Command, type ParsedArgs } from './command.js';

/** Every command takes --help. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', help: 'Show this help' } } as const;

/** Parses a command's arguments with node:util parseArgs (strict), turning its errors into plain usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries({ ...command.options, ...HELP_OPTION })) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const option = /'(-[^']+)'/.exec(e.message ?? '')?.[1];
    const message =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${option ?? ''}`.trim()
        : e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `option ${option ?? ''} needs a value`.replace('  ', ' ')
          : (e.message ?? String(error));
    throw new CliError(`${message}. See: chatwoot-hermes-bot ${command.name} --help`, 2);
  }
}

/** A positive whole number from the command line (ids), or a usage error naming what it is. */
export function parseId(raw: string | undefined, what: string): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim()) || Number(raw) <= 0) {
    throw new CliError(`${what} must be a positive whole number${raw === undefined ? '' : ` (got "${raw}")`}`, 2);
  }
  return Number(raw);
}
