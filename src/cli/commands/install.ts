import { isAbsolute, resolve } from 'node:path';
import { ADMIN_OPTIONS, adminFromArgs, botNameOf, findOurBot } from '../admin.js';
import type { AgentBot, BotFields } from '../chatwoot-admin.js';
import { CliError, stringOption, type CliIo, type Command } from '../command.js';
import { readSetting } from '../env.js';
import { upsertEnvFile } from '../env-file.js';
import { MARK } from '../format.js';
import { loadManifest } from '../manifest.js';
import { describePanelResult, ensurePanelApp } from '../panel-app.js';
import { withStore } from '../store.js';
import { expectedWebhookUrl, printableUrl } from '../webhook-url.js';

export const install: Command = {
  name: 'install',
  summary: 'Create the bot in Chatwoot from manifest.json, or update it; show its token and secret once',
  synopsis: '',
  details: [
    'Creates the agent bot (name, description, avatar from manifest.json) with the webhook URL',
    'PUBLIC_URL + /chatwoot/webhook, or updates the bot of the same name. Running it again changes nothing.',
    'The bot\'s access token and webhook secret are printed once, when the bot is created; with',
    '--write-env they go into .env instead (also for a bot that already exists).',
    'It also creates or updates the bot panel, a Dashboard App (a tab beside each conversation) at',
    'PUBLIC_URL/dashboard/ whose URL carries the account\'s key; the key\'s digest goes into the bot\'s',
    'store, so run install where the bot runs (same DATA_DIR or DATABASE_URL).',
    '',
    'Example: chatwoot-hermes-bot install --account 1 --token <admin token> --public-url https://bot.example.com',
  ].join('\n'),
  options: {
    ...ADMIN_OPTIONS,
    'public-url': { type: 'string', value: 'url', help: 'Where Chatwoot reaches the bot (default: PUBLIC_URL)' },
    'write-env': { type: 'boolean', help: 'Write CHATWOOT_BOT_TOKEN and CHATWOOT_WEBHOOK_SECRET into .env instead of printing them' },
    'env-file': { type: 'string', value: 'path', help: 'The file --write-env writes (default: .env)' },
  },
  async run(io, args) {
    if (args.positionals.length > 0) throw new CliError(`install takes no arguments (got "${args.positionals.join(' ')}")`, 2);
    const manifest = loadManifest();
    const admin = adminFromArgs(io, args);
    const publicUrl = readSetting({ ...io.env, PUBLIC_URL: stringOption(args, 'public-url') ?? io.env.PUBLIC_URL }, 'PUBLIC_URL');
    if (!publicUrl) {
      throw new CliError('PUBLIC_URL is not set: pass --public-url https://bot.example.com or set PUBLIC_URL (the address where Chatwoot reaches this bot).');
    }
    const webhookToken = readSetting(io.env, 'WEBHOOK_TOKEN');
    const name = botNameOf(args);
    const desired = { name, description: manifest.description, outgoing_url: expectedWebhookUrl(publicUrl, webhookToken) };

    const existing = await findOurBot(admin, name, io.env.CHATWOOT_BOT_TOKEN?.trim());
    let bot: AgentBot;
    if (!existing) {
      bot = await admin.createBot({ ...desired, avatar_url: manifest.avatarUrl });
      io.out(`${MARK.ok} Created the bot "${bot.name}" (id ${bot.id}) in account ${admin.accountId}.`);
      io.out(`  Webhook URL: ${printableUrl(bot.outgoing_url)}`);
    } else {
      const changes = differences(existing, desired);
      if (Object.keys(changes).length === 0) {
        bot = existing;
        io.out(`${MARK.ok} The bot "${bot.name}" (id ${bot.id}) is already installed in account ${admin.accountId}; nothing changed.`);
        io.out(`  Webhook URL: ${printableUrl(bot.outgoing_url)}`);
      } else {
        bot = { ...existing, ...(await admin.updateBot(existing.id, changes)) };
        io.out(`${MARK.ok} Updated the bot "${bot.name}" (id ${bot.id}) in account ${admin.accountId}:`);
        for (const field of Object.keys(changes) as Array<keyof BotFields>) {
          const show = field === 'outgoing_url' ? printableUrl : (v: string | null | undefined) => JSON.stringify(v ?? '');
          io.out(`  ${field}: ${show(existing[field as keyof AgentBot] as string | null)} → ${show(changes[field])}`);
        }
      }
    }

    credentials(io, bot, { created: !existing, writeEnv: args.values['write-env'] === true, envFile: stringOption(args, 'env-file') });
    if (!bot.secret && !webhookToken) {
      io.out(
        `${MARK.warn} Chatwoot returned no webhook secret: it is older than 4.13 and does not sign webhooks. Set WEBHOOK_TOKEN to a random string of 16+ characters and run install again; the webhook URL will carry it.`,
      );
    }
    const panel = await withStore(io, { mustExist: false }, ({ store }) => ensurePanelApp({ admin, store }, { publicUrl, rotate: false, now: Date.now() }));
    for (const line of describePanelResult(panel, admin.accountId)) io.out(line.startsWith(' ') ? line : `${MARK.ok} ${line}`);
    io.out('');
    io.out('Next: chatwoot-hermes-bot inboxes, then chatwoot-hermes-bot enable <inbox-id>; check everything with chatwoot-hermes-bot doctor.');
    return 0;
  },
};

/** The fields that differ. The avatar is only sent on creation: Chatwoot shows it back as a storage URL, not comparable. */
function differences(bot: AgentBot, desired: Required<Pick<BotFields, 'name' | 'description' | 'outgoing_url'>>): BotFields {
  const changes: BotFields = {};
  if (bot.name !== desired.name) changes.name = desired.name;
  if ((bot.description ?? '') !== desired.description) changes.description = desired.description;
  if ((bot.outgoing_url ?? '') !== desired.outgoing_url) changes.outgoing_url = desired.outgoing_url;
  return changes;
}

/**
 * The only place a secret is ever printed: the access token and webhook secret of a bot just created.
 * Afterwards they go only into a file (--write-env), never to the screen again.
 */
function credentials(io: CliIo, bot: AgentBot, opts: { created: boolean; writeEnv: boolean; envFile: string | undefined }): void {
  const values: Record<string, string> = {};
  if (bot.access_token) values.CHATWOOT_BOT_TOKEN = bot.access_token;
  if (bot.secret) values.CHATWOOT_WEBHOOK_SECRET = bot.secret;

  if (opts.writeEnv) {
    if (!values.CHATWOOT_BOT_TOKEN) throw new CliError('Chatwoot did not return the bot\'s access token; only administrators see it. Use an administrator\'s token.');
    const file = opts.envFile ?? '.env';
    const path = isAbsolute(file) ? file : resolve(io.cwd, file);
    const changed = upsertEnvFile(path, values);
    io.out(
      changed.length === 0
        ? `${MARK.ok} ${file} already holds this bot's ${Object.keys(values).join(' and ')}.`
        : `${MARK.ok} Wrote ${changed.join(' and ')} into ${file} (not shown here).`,
    );
    return;
  }
  if (!opts.created) {
    io.out(`  Its access token and webhook secret were shown when it was created. To put them into .env: install --write-env; or copy them from Chatwoot → Settings → Bots → ${bot.name}.`);
    return;
  }
  io.out('');
  io.out('Give the bot these settings (this is the only time they are printed):');
  for (const [key, value] of Object.entries(values)) io.out(`  ${key}=${value}`);
  io.out('For example in .env, or on Heroku: heroku config:set CHATWOOT_BOT_TOKEN=… CHATWOOT_WEBHOOK_SECRET=…');
}
