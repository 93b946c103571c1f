import { ChatwootAdmin, type AgentBot } from './chatwoot-admin.js';
import { CliError, stringOption, type CliIo, type OptionSpec, type ParsedArgs } from './command.js';
import { readSetting } from './env.js';
import { loadManifest } from './manifest.js';

/** Options of every command that talks to Chatwoot as an administrator. */
export const ADMIN_OPTIONS: Record<string, OptionSpec> = {
  token: { type: 'string', value: 'token', help: "An administrator's access token (default: CHATWOOT_ADMIN_TOKEN)" },
  account: { type: 'string', value: 'id', help: 'Chatwoot account id (default: CHATWOOT_ACCOUNT_ID)' },
  name: { type: 'string', value: 'name', help: 'The bot\'s name in Chatwoot (default: the name in manifest.json)' },
};

/** The administrator's connection from flags and environment; every missing piece named in one error. */
export function adminFromArgs(io: CliIo, args: ParsedArgs): ChatwootAdmin {
  const problems: string[] = [];
  let chatwootUrl = '';
  try {
    chatwootUrl = readSetting(io.env, 'CHATWOOT_URL');
  } catch (error) {
    problems.push((error as Error).message);
  }
  const token = stringOption(args, 'token') ?? io.env.CHATWOOT_ADMIN_TOKEN?.trim();
  if (!token) problems.push("No administrator token: pass --token or set CHATWOOT_ADMIN_TOKEN (an administrator's access token: Chatwoot → Profile settings → Access Token)");
  const rawAccount = stringOption(args, 'account') ?? io.env.CHATWOOT_ACCOUNT_ID?.trim();
  const accountId = accountIdOf(rawAccount);
  if (accountId === null) {
    problems.push(
      rawAccount
        ? `The account id must be a positive whole number (got "${rawAccount}")`
        : 'No account: pass --account or set CHATWOOT_ACCOUNT_ID (the number after /app/accounts/ in Chatwoot\'s address)',
    );
  }
  if (problems.length > 0) throw new CliError(problems.join('\n  '));
  return new ChatwootAdmin(chatwootUrl, token!, accountId!);
}

export function accountIdOf(raw: string | undefined): number | null {
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}

export function botNameOf(args: ParsedArgs): string {
  return stringOption(args, 'name') ?? loadManifest().name;
}

/**
 * This deployment's bot in the account: the one whose access token is CHATWOOT_BOT_TOKEN when that is
 * set (it survives a rename in Chatwoot's screens), else the one with the manifest's name. System bots
 * (no account) are never ours. Several bots with the name is an error, not a guess.
 */
export async function findOurBot(admin: ChatwootAdmin, name: string, botToken?: string): Promise<AgentBot | null> {
  const bots = await accountBots(admin);
  if (botToken) {
    const byToken = bots.find((b) => b.access_token === botToken);
    if (byToken) return byToken;
  }
  return uniqueByName(admin, bots, name);
}

/** The account's own bots; a global system bot (account_id null) belongs to the installation, not to it. */
export async function accountBots(admin: ChatwootAdmin): Promise<AgentBot[]> {
  return (await admin.listBots()).filter((b) => b.account_id !== null && (b.account_id === undefined || b.account_id === admin.accountId));
}

export function uniqueByName(admin: ChatwootAdmin, bots: AgentBot[], name: string): AgentBot | null {
  const named = bots.filter((b) => b.name === name);
  if (named.length > 1) {
    throw new CliError(
      `Account ${admin.accountId} has ${named.length} bots named "${name}" (ids ${named.map((b) => b.id).join(', ')}). Delete the extra ones (Chatwoot → Settings → Bots) or pick one with --name after renaming it.`,
    );
  }
  return named[0] ?? null;
}

/** The bot, or a CliError telling how to install it. */
export async function requireOurBot(admin: ChatwootAdmin, name: string, botToken?: string): Promise<AgentBot> {
  const bot = await findOurBot(admin, name, botToken);
  if (!bot) throw new CliError(`There is no bot "${name}" in account ${admin.accountId} yet. Run: chatwoot-hermes-bot install`);
  return bot;
}
