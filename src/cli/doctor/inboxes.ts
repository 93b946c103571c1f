import type { AgentBot, ChatwootAdmin } from '../chatwoot-admin.js';
import { CliError } from '../command.js';
import { mapLimited } from '../map-limited.js';
import { fail, ok, PROBLEMS, warn, type CheckResult } from './report.js';

/** Where the bot answers: the inboxes Chatwoot connected it to, minus those its settings switch off. */
export async function checkInboxes(admin: ChatwootAdmin, bot: AgentBot, overrides: Map<number, Record<string, unknown>> | null): Promise<CheckResult> {
  let connected: Array<{ id: number; name: string }>;
  try {
    const inboxes = await admin.listInboxes();
    const bots = await mapLimited(inboxes, 8, (i) => admin.inboxBot(i.id));
    connected = inboxes.filter((_, i) => bots[i]?.id === bot.id);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return fail(PROBLEMS.adminRefused, error.message);
  }
  const enable = 'Connect it: chatwoot-hermes-bot enable <inbox-id> (see: chatwoot-hermes-bot inboxes), or in Chatwoot: Settings → Inboxes → the inbox → Bot configuration.';
  if (connected.length === 0) return warn(`The bot "${bot.name}" is not connected to any inbox yet`, enable);
  const silent = connected.filter((i) => overrides?.get(i.id)?.enabled === false);
  const list = connected.map((i) => `${i.id} (${i.name})${silent.includes(i) ? ' [switched off]' : ''}`).join(', ');
  if (silent.length === connected.length) {
    return warn(`The bot is connected to ${list}, but its settings switch it off in all of them`, `Switch it on: chatwoot-hermes-bot inbox-config <inbox-id> enabled=true`);
  }
  const details = silent.map((i) => `inbox ${i.id} stays silent: inbox-config ${i.id} enabled=false`);
  return ok(`The bot answers in ${connected.length - silent.length} inbox${connected.length - silent.length === 1 ? '' : 'es'}: ${list}`, details.length ? details : undefined);
}
