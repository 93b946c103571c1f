import { ChatwootClient, ChatwootError } from '../../chatwoot/client.js';
import type { Config } from '../../config/index.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

/**
 * Chatwoot reachable, and CHATWOOT_BOT_TOKEN accepted, with one harmless read through the bot's own
 * client: the labels of conversation 0, which cannot exist (display ids start at 1). Chatwoot checks
 * the token and the account before it looks the conversation up, so 404 (or 200) = token accepted,
 * 401 = refused. Nothing is created or changed, and labels are readable by bots on every version
 * (unlike GET conversation, only since #14655).
 */
export async function checkBotToken(config: Config, accountId: number): Promise<{ result: CheckResult; reachable: boolean }> {
  const url = config.chatwoot.url;
  const client = new ChatwootClient({ baseUrl: url, botToken: config.chatwoot.botToken, timeoutMs: 5000, retry: { attempts: 1 } });
  try {
    await client.getLabels({ accountId, conversationId: 0 });
  } catch (error) {
    if (!(error instanceof ChatwootError)) throw error;
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
    if (error.status !== 404) return { result: fail(PROBLEMS.chatwootUnreachable, `${url} answered ${error.status}`), reachable: false };
  }
  return { result: ok(`Chatwoot reachable at ${url}; CHATWOOT_BOT_TOKEN accepted in account ${accountId}`), reachable: true };
}
