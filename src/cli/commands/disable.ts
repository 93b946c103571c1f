import { ADMIN_OPTIONS, adminFromArgs, botNameOf, requireOurBot } from '../admin.js';
import { CliError, type Command } from '../command.js';
import { MARK } from '../format.js';
import { inboxIds, inboxNames } from './enable.js';

export const disable: Command = {
  name: 'disable',
  summary: 'Disconnect the bot from inboxes',
  synopsis: '<inbox-id…>',
  details: [
    'Disconnects this bot from each inbox (set_agent_bot with no bot). New conversations there start',
    '"open" for your team. An inbox connected to another bot is left alone.',
    'To keep the bot connected but silent in an inbox: chatwoot-hermes-bot inbox-config <id> enabled=false',
    '',
    'Example: chatwoot-hermes-bot disable 7',
  ].join('\n'),
  options: { ...ADMIN_OPTIONS },
  async run(io, args) {
    const ids = inboxIds(args.positionals, 'disable');
    const admin = adminFromArgs(io, args);
    const bot = await requireOurBot(admin, botNameOf(args), io.env.CHATWOOT_BOT_TOKEN?.trim());
    const names = await inboxNames(admin);
    let failed = 0;
    for (const id of ids) {
      try {
        const current = await admin.inboxBot(id);
        const label = `inbox ${id}${names.has(id) ? ` (${names.get(id)})` : ''}`;
        if (!current) io.out(`${MARK.ok} ${label}: no bot connected; nothing to do.`);
        else if (current.id !== bot.id) io.out(`${MARK.warn} ${label}: connected to another bot, "${current.name}" (id ${current.id}); left alone.`);
        else {
          await admin.setInboxBot(id, null);
          io.out(`${MARK.ok} ${label}: disconnected from "${bot.name}".`);
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
