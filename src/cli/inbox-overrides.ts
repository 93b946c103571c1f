import { SECRET_INBOX_KEYS } from '../config/inbox-settings.js';
import { CliError, type CliIo } from './command.js';
import { hidden } from './format.js';
import { withStore } from './store.js';

/** An inbox's stored overrides as `key=value` for people: secrets hidden, long texts shortened. */
export function describeOverrides(settings: Record<string, unknown> | null | undefined, maxText = 40): string[] {
  if (!settings) return [];
  return Object.entries(settings).map(([key, value]) => {
    if ((SECRET_INBOX_KEYS as readonly string[]).includes(key)) return `${key}=${hidden(String(value))}`;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const short = text.length > maxText ? `${text.slice(0, maxText - 1)}…` : text;
    return `${key}=${typeof value === 'string' ? JSON.stringify(short) : short}`;
  });
}

/** An inbox's stored overrides for `--json`: values as stored, each secret replaced by "(set, hidden)". */
export function publicOverrides(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [key, (SECRET_INBOX_KEYS as readonly string[]).includes(key) ? hidden(String(value)) : value]),
  );
}

/**
 * Every inbox's stored overrides, or 'unavailable' when there is no store here (the CLI run on a
 * laptop, the bot on a server): commands that merely show them must not create an empty store.
 */
export async function readStoredOverrides(io: CliIo): Promise<Map<number, Record<string, unknown>> | 'unavailable'> {
  try {
    return await withStore(io, { mustExist: true }, async ({ store }) => new Map((await store.listInboxSettings()).map((r) => [r.inboxId, r.settings])));
  } catch (error) {
    if (error instanceof CliError) return 'unavailable';
    throw error;
  }
}
