import { accountIdOf, ADMIN_OPTIONS, adminFromArgs } from '../admin.js';
import { CliError, stringOption, type Command } from '../command.js';
import { readSetting } from '../env.js';
import { MARK } from '../format.js';
import { describePanelResult, ensurePanelApp } from '../panel-app.js';
import { withStore } from '../store.js';

export const dashboardKey: Command = {
  name: 'dashboard-key',
  summary: "Give an account's bot panel a new key (the old app URL stops working)",
  synopsis: 'rotate <account>',
  details: [
    "Makes a new key for the account's bot panel, keeps its digest in the bot's store and updates the",
    'Dashboard App in Chatwoot to carry it. Whoever copied the old app URL can no longer use the panel',
    '(within 5 seconds on a running bot). Run it where the bot runs (same DATA_DIR or DATABASE_URL).',
    '',
    'Example: chatwoot-hermes-bot dashboard-key rotate 1 --token <admin token>',
  ].join('\n'),
  options: {
    token: ADMIN_OPTIONS.token!,
    'public-url': { type: 'string', value: 'url', help: 'Where Chatwoot reaches the bot (default: PUBLIC_URL)' },
  },
  async run(io, args) {
    const [verb, rawAccount, ...rest] = args.positionals;
    if (verb !== 'rotate' || rest.length > 0) throw new CliError('usage: chatwoot-hermes-bot dashboard-key rotate <account>', 2);
    const accountId = accountIdOf(rawAccount);
    if (accountId === null) throw new CliError(`The account id must be a positive whole number (got "${rawAccount ?? ''}")`, 2);
    const admin = adminFromArgs(io, { ...args, values: { ...args.values, account: String(accountId) } });
    const publicUrl = readSetting({ ...io.env, PUBLIC_URL: stringOption(args, 'public-url') ?? io.env.PUBLIC_URL }, 'PUBLIC_URL');
    if (!publicUrl) throw new CliError('PUBLIC_URL is not set: pass --public-url https://bot.example.com or set PUBLIC_URL (the address where Chatwoot reaches this bot).');
    const result = await withStore(io, { mustExist: true }, ({ store }) => ensurePanelApp({ admin, store }, { publicUrl, rotate: true, now: Date.now() }));
    for (const line of describePanelResult(result, accountId)) io.out(line.startsWith(' ') ? line : `${MARK.ok} ${line}`);
    return 0;
  },
};
