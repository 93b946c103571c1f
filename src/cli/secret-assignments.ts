import { SECRET_INBOX_KEYS } from '../config/inbox-settings.js';
import { CliError, type CliIo } from './command.js';
import { MARK } from './format.js';

/**
 * Resolves `hermesApiKey=-` (any secret key) to the value on standard input, so a key never has to
 * sit on the command line, where shell history, `ps` and CI logs keep it. A secret typed on the command
 * line still works (scripts written before) but earns a warning on stderr; `key=` (removal) does not.
 */
export async function resolveSecretAssignments(io: Pick<CliIo, 'err' | 'readSecret'>, assignments: string[]): Promise<string[]> {
  const fromStdin = assignments.filter((a) => secretKey(a) !== null && valueOf(a) === '-');
  if (fromStdin.length > 1) throw new CliError(`Only one setting can be read from standard input at a time (got ${fromStdin.map((a) => secretKey(a)).join(', ')}).`, 2);
  const resolved: string[] = [];
  for (const assignment of assignments) {
    const key = secretKey(assignment);
    const value = valueOf(assignment);
    if (key === null || value === '') {
      resolved.push(assignment);
    } else if (value === '-') {
      resolved.push(`${key}=${await readOne(io, key)}`);
    } else {
      resolved.push(assignment);
      io.err(`${MARK.warn} ${key} was given on the command line, where shell history and the process list keep it. Next time pipe it: printf '%s' "$KEY" | chatwoot-hermes-bot inbox-config <inbox-id> ${key}=-`);
    }
  }
  return resolved;
}

async function readOne(io: Pick<CliIo, 'readSecret'>, key: string): Promise<string> {
  if (!io.readSecret) throw new CliError(`${key}=- reads standard input, which is not available here.`, 2);
  const value = await io.readSecret(`${key} (not shown): `);
  if (value.trim() === '') throw new CliError(`${key}=- found nothing on standard input; nothing was saved (to remove the key, write ${key}= ).`, 2);
  if (/[\r\n]/.test(value)) throw new CliError(`${key}=- read several lines from standard input; a key is one line. Nothing was saved.`, 2);
  return value;
}

function secretKey(assignment: string): string | null {
  const key = assignment.slice(0, Math.max(0, assignment.indexOf('='))).trim();
  return (SECRET_INBOX_KEYS as readonly string[]).includes(key) ? key : null;
}

function valueOf(assignment: string): string {
  return assignment.slice(assignment.indexOf('=') + 1);
}
