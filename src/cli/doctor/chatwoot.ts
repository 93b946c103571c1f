import { refusedToBots } from '../../chatwoot/bot-rights.js';
import { ChatwootClient, ChatwootError } from '../../chatwoot/client.js';
import type { Config } from '../../config/index.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

/** Whether this Chatwoot lets the bot token read conversations and labels (v4.14.2+, PR #14655). */
export type BotRights = 'full' | 'limited' | 'unknown';

/**
 * Chatwoot reachable, and CHATWOOT_BOT_TOKEN accepted, with harmless calls through the bot's own
 * client on conversation 0, which cannot exist (display ids start at 1). Api::BaseController checks
 * the token (401 "Invalid Access Token"), then whether a bot may use the endpoint (401 "not authorized
 * for bots"), then the account (401 "Bot is not authorized to access this account"), and only then
 * looks the conversation up (404). So:
 * - GET labels → 404 (or 200): token accepted in the account, and bots may read labels (4.14.2+).
 * - GET labels → 401 "not authorized for bots": a valid bot token on a Chatwoot before 4.14.2, where
 *   bots have no labels; the account is then checked with toggle_typing_status, which bots may use on
 *   every version (on conversation 0 it changes nothing: 404).
 */
export async function checkBotToken(config: Config, accountId: number): Promise<{ result: CheckResult; reachable: boolean; rights: BotRights }> {
  const url = config.chatwoot.url;
  const client = new ChatwootClient({ baseUrl: url, botToken: config.chatwoot.botToken, timeoutMs: 5000, retry: { attempts: 1 } });
  const nowhere = { accountId, conversationId: 0 };
  let rights: BotRights = 'full';
  try {
    await client.getLabels(nowhere);
  } catch (error) {
    if (refusedToBots(error)) {
      rights = 'limited';
      try {
        await client.typing(nowhere, false);
      } catch (second) {
        const refused = refusal(second, url, accountId);
        if (refused) return { ...refused, rights };
      }
    } else {
      const refused = refusal(error, url, accountId);
      if (refused) return { ...refused, rights: 'unknown' };
    }
  }
  return { result: ok(`Chatwoot reachable at ${url}; CHATWOOT_BOT_TOKEN accepted in account ${accountId}`), reachable: true, rights };
}

/** What a failed probe means; null for 404 (conversation 0 not found: everything before it passed). */
function refusal(error: unknown, url: string, accountId: number): { result: CheckResult; reachable: boolean } | null {
  if (!(error instanceof ChatwootError)) throw error;
  if (error.status === 404) return null;
  if (error.status === null) {
    return { result: fail(PROBLEMS.chatwootUnreachable, `${url} (${error.message.replace(/^.* failed: /, '')})`), reachable: false };
  }
  if (error.status === 401 || error.status === 403) {
    const why = /not authorized to access this account/i.test(error.message)
      ? `it belongs to a bot of another account, not account ${accountId}`
      : /invalid access token/i.test(error.message)
        ? 'Chatwoot does not know this token'
        : `Chatwoot answered ${error.status}`;
    return { result: fail(PROBLEMS.botTokenRefused, why), reachable: true };
  }
  return { result: fail(PROBLEMS.chatwootUnreachable, `${url} answered ${error.status}`), reachable: false };
}
