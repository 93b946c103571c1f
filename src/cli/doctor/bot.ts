import type { Config } from '../../config/index.js';
import { accountBots, uniqueByName } from '../admin.js';
import type { AgentBot, ChatwootAdmin } from '../chatwoot-admin.js';
import { CliError } from '../command.js';
import { expectedWebhookUrl, printableUrl } from '../webhook-url.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

/**
 * The bot as Chatwoot has it (administrator token): it exists, CHATWOOT_BOT_TOKEN is its token, and its
 * webhook URL is PUBLIC_URL + the webhook path. Returns the bot for the secret and inbox checks.
 */
export async function checkBotInChatwoot(admin: ChatwootAdmin, config: Config, name: string): Promise<{ results: CheckResult[]; bot: AgentBot | null }> {
  let named: AgentBot | null;
  let tokenOwner: AgentBot | undefined;
  try {
    const bots = await accountBots(admin);
    named = uniqueByName(admin, bots, name);
    tokenOwner = bots.find((b) => b.access_token === config.chatwoot.botToken);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { results: [fail(PROBLEMS.adminRefused, error.message)], bot: null };
  }
  // Renamed in Chatwoot's screens: the token still says which bot this deployment is.
  const bot = named ?? tokenOwner ?? null;
  if (!bot) return { results: [fail(PROBLEMS.botMissing, `account ${admin.accountId} has no bot "${name}"`)], bot: null };

  const results: CheckResult[] = [];
  const label = `the bot "${bot.name}" (id ${bot.id})`;
  if (tokenOwner && tokenOwner.id !== bot.id) {
    results.push(fail(PROBLEMS.botTokenMismatch, `it belongs to the bot "${tokenOwner.name}" (id ${tokenOwner.id}), not to ${label}`));
  } else if (!tokenOwner && bot.access_token !== undefined) {
    results.push(fail(PROBLEMS.botTokenMismatch, `${label} has another access token`));
  }
  if (config.publicUrl) {
    const expected = expectedWebhookUrl(config.publicUrl, config.chatwoot.webhookToken);
    results.push(
      bot.outgoing_url === expected
        ? ok(`${capitalize(label)} receives its webhooks at ${printableUrl(expected)}`)
        : fail(PROBLEMS.webhookUrlMismatch, `${label} sends webhooks to ${printableUrl(bot.outgoing_url)}, not to ${printableUrl(expected)}`),
    );
  }
  return { results, bot };
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
