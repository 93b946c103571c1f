import { ADMIN_OPTIONS, adminFromArgs, botNameOf, requireOurBot } from '../admin.js';
import { parseId } from '../args.js';
import type { ChatwootAdmin } from '../chatwoot-admin.js';
import { CliError, type Command } from '../command.js';
import { MARK } from '../format.js';
import { readStoredOverrides } from '../inbox-overrides.js';

export const enable: Command = {
  name: 'enable',
  summary: 'Connect the bot to inboxes (Chatwoot: Inbox → Bot configuration)',
  synopsis: '<inbox-id…>',
  details: [
    'Connects this bot to each inbox (set_agent_bot). New conversations in those inboxes then start',
    '"pending" and the bot answers them; existing conversations keep their status.',
    'An inbox connected to another bot is switched to this one (the other bot is named).',
    '',
    'Example: chatwoot-hermes-bot enable 7 12',
  ].join('\n'),
  options: { ...ADMIN_OPTIONS },
  async run(io, args) {
    const ids = inboxIds(args.positionals, 'enable');
    const admin = adminFromArgs(io, args);
    const bot = await requireOurBot(admin, botNameOf(args), io.env.CHATWOOT_BOT_TOKEN?.trim());
    const names = await inboxNames(admin);
    const overrides = await readStoredOverrides(io);
    let failed = 0;
    for (const id of ids) {
      try {
        const current = await admin.inboxBot(id);
        const label = `inbox ${id}${names.has(id) ? ` (${names.get(id)})` : ''}`;
        if (current?.id === bot.id) io.out(`${MARK.ok} ${label}: already connected to "${bot.name}".`);
        else {
          await admin.setInboxBot(id, bot.id);
          io.out(`${MARK.ok} ${label}: connected to "${bot.name}"${current ? ` (replacing the bot "${current.name}", id ${current.id})` : ''}.`);
        }
        if (overrides !== 'unavailable' && overrides.get(id)?.enabled === false) {
          io.out(`  ${MARK.warn} The bot stays silent there: its settings say enabled=false. To answer: chatwoot-hermes-bot inbox-config ${id} enabled=true`);
        }
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        failed++;
        io.err(`${MARK.fail} inbox ${id}: ${error.message}`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};

export function inboxIds(positionals: string[], command: string): number[] {
  if (positionals.length === 0) throw new CliError(`${command} needs at least one inbox id (see: chatwoot-hermes-bot inboxes)`, 2);
  return [...new Set(positionals.map((p) => parseId(p, 'An inbox id')))];
}

export async function inboxNames(admin: ChatwootAdmin): Promise<Map<number, string>> {
  return new Map((await admin.listInboxes()).map((i) => [i.id, i.name]));
}

