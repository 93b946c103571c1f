import { ConfigError } from '../config/index.js';
import { HELP_OPTION, parseCommandArgs } from './args.js';
import { CliError, type CliIo, type Command, type OptionSpec } from './command.js';
import { dashboardKey } from './commands/dashboard-key.js';
import { disable } from './commands/disable.js';
import { doctor } from './commands/doctor.js';
import { enable } from './commands/enable.js';
import { forget } from './commands/forget.js';
import { inboxConfig } from './commands/inbox-config.js';
import { inboxes } from './commands/inboxes.js';
import { install } from './commands/install.js';
import { migrate } from './commands/migrate.js';
import { migrateStore } from './commands/migrate-store.js';
import { sessions } from './commands/sessions.js';
import { MARK } from './format.js';
import { loadManifest, packageVersion } from './manifest.js';

export const COMMANDS: Command[] = [install, inboxes, enable, disable, inboxConfig, doctor, sessions, forget, dashboardKey, migrate, migrateStore];

const BIN = 'chatwoot-hermes-bot';

/**
 * Runs one CLI command and returns the exit code: 0 done, 1 failed (a plain sentence on stderr),
 * 2 wrong usage. Never throws for a user's mistake, never prints a stack trace for one.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(packageVersion());
    return 0;
  }
  // No arguments is a usage error (a script that lost its arguments must not look successful): the
  // usage goes to stderr so stdout stays empty for whoever parses it.
  if (name === undefined) {
    io.err(generalHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    if (name !== 'help' || rest[0] === undefined) {
      io.out(generalHelp());
      return 0;
    }
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    if (!topic) {
      io.err(`${MARK.fail} No help for "${rest[0]}": there is no such command.\n\n${generalHelp()}`);
      return 2;
    }
    io.out(commandHelp(topic));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`${MARK.fail} Unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See: ${BIN} --help`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help === true) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(io, args);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`${MARK.fail} ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    // Only the message: a stack or an HTTP client's config object could carry a token.
    io.err(`${MARK.fail} ${command.name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function generalHelp(): string {
  const manifest = loadManifest();
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `${BIN} — ${manifest.name}: ${manifest.description}`,
    '',
    `Usage: ${BIN} <command> [options]`,
    `       ${BIN} --version`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run ${BIN} <command> --help for its options. Settings come from the environment or .env (README → Configuration);`,
    'the Chatwoot commands need an administrator\'s access token (CHATWOOT_ADMIN_TOKEN or --token) and the account id',
    '(CHATWOOT_ACCOUNT_ID or --account).',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options: Array<[string, OptionSpec]> = Object.entries({ ...command.options, ...HELP_OPTION });
  const flags = options.map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`);
  const width = Math.max(...flags.map((f) => f.length));
  return [
    `Usage: ${BIN} ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''} [options]`,
    '',
    command.summary,
    '',
    command.details,
    '',
    'Options:',
    ...options.map(([, spec], i) => `  ${flags[i]!.padEnd(width)}  ${spec.help}`),
  ].join('\n');
}
