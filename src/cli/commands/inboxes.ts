import { ADMIN_OPTIONS, adminFromArgs, botNameOf, findOurBot } from '../admin.js';
import type { AgentBot, Inbox } from '../chatwoot-admin.js';
import { CliError, JSON_OPTION, printJson, wantsJson, type Command } from '../command.js';
import { MARK, table } from '../format.js';
import { describeOverrides, publicOverrides, readStoredOverrides } from '../inbox-overrides.js';
import { mapLimited } from '../map-limited.js';

export const inboxes: Command = {
  name: 'inboxes',
  summary: "List the account's inboxes: channel, whether this bot is connected, per-inbox settings",
  synopsis: '',
  details: [
    'Shows every inbox of the account with its channel type, the bot Chatwoot has connected to it',
    '(this one, another one, or none) and the settings this bot keeps for it (inbox-config), when the',
    "bot's store is reachable from here.",
  ].join('\n'),
  options: { ...ADMIN_OPTIONS, ...JSON_OPTION },
  async run(io, args) {
    if (args.positionals.length > 0) throw new CliError(`inboxes takes no arguments (got "${args.positionals.join(' ')}")`, 2);
    const admin = adminFromArgs(io, args);
    const name = botNameOf(args);
    const [ours, list] = await Promise.all([findOurBot(admin, name, io.env.CHATWOOT_BOT_TOKEN?.trim()), admin.listInboxes()]);
    const connected = await mapLimited(list, 8, (inbox) => admin.inboxBot(inbox.id));
    const overrides = await readStoredOverrides(io);
    if (wantsJson(args)) {
      printJson(io, {
        accountId: admin.accountId,
        bot: ours ? { id: ours.id, name: ours.name } : null,
        settingsAvailable: overrides !== 'unavailable',
        inboxes: list.map((inbox, i) => {
          const bot = connected[i] ?? null;
          return {
            id: inbox.id,
            name: inbox.name,
            channel: channel(inbox),
            connectedBot: bot ? { id: bot.id, name: bot.name, thisBot: ours !== null && bot.id === ours.id } : null,
            settings: overrides === 'unavailable' ? null : publicOverrides(overrides.get(inbox.id) ?? {}),
          };
        }),
      });
      return 0;
    }

    io.out(
      ours
        ? `Inboxes of account ${admin.accountId} — bot "${ours.name}" (id ${ours.id})`
        : `Inboxes of account ${admin.accountId} — the bot "${name}" is not installed yet (run: chatwoot-hermes-bot install)`,
    );
    io.out('');
    if (list.length === 0) {
      io.out('This account has no inboxes yet.');
      return 0;
    }
    const rows = list.map((inbox, i) => [String(inbox.id), inbox.name, channel(inbox), botCell(connected[i] ?? null, ours), appCell(inbox, overrides)]);
    io.out(table(['ID', 'NAME', 'CHANNEL', 'BOT', 'SETTINGS (inbox-config)'], rows));
    io.out('');
    if (overrides === 'unavailable') io.out(`${MARK.warn} Per-inbox settings not shown: no store here (run inboxes where the bot runs to see them).`);
    io.out('Connect the bot: chatwoot-hermes-bot enable <id> · per-inbox settings: chatwoot-hermes-bot inbox-config <id> key=value…');
    return 0;
  },
};

function channel(inbox: Inbox): string {
  return inbox.channel_type.replace(/^Channel::/, '');
}

function botCell(bot: AgentBot | null, ours: AgentBot | null): string {
  if (!bot) return `${MARK.skip} none`;
  if (ours && bot.id === ours.id) return `${MARK.ok} this bot`;
  return `another bot: "${bot.name}" (id ${bot.id})`;
}

function appCell(inbox: Inbox, overrides: Map<number, Record<string, unknown>> | 'unavailable'): string {
  if (overrides === 'unavailable') return '?';
  const settings = overrides.get(inbox.id);
  if (!settings) return 'defaults';
  const parts = describeOverrides(settings);
  if (settings.enabled === false) return ['OFF for this inbox', ...parts.filter((p) => !p.startsWith('enabled='))].join(' · ');
  return parts.join(' · ') || 'defaults';
}
