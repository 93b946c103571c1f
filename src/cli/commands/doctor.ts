import { accountIdOf, ADMIN_OPTIONS, botNameOf } from '../admin.js';
import { ChatwootAdmin, type AgentBot } from '../chatwoot-admin.js';
import { CliError, JSON_OPTION, printJson, stringOption, wantsJson, type Command } from '../command.js';
import { checkBotInChatwoot } from '../doctor/bot.js';
import { checkBotToken } from '../doctor/chatwoot.js';
import { checkChatwootVersion, readChatwootInfo } from '../doctor/chatwoot-version.js';
import { checkConfig } from '../doctor/config.js';
import { checkHermes, strictBuildWarning } from '../doctor/hermes.js';
import { checkInboxes } from '../doctor/inboxes.js';
import { checkPanel } from '../doctor/panel.js';
import { checkPublicUrl } from '../doctor/public-url.js';
import { checkRunningBot } from '../doctor/running-bot.js';
import { fail, PROBLEMS, renderReport, reportJson, skip, warn, type CheckResult } from '../doctor/report.js';
import { checkSigningSecret } from '../doctor/secret.js';
import { checkStore } from '../doctor/store.js';
import { checkHandoffTeams } from '../doctor/teams.js';

export const doctor: Command = {
  name: 'doctor',
  summary: 'Check configuration, Chatwoot, Hermes and the store; one ✓ or ✗ per check, with the fix',
  synopsis: '',
  details: [
    'Runs every check on one screen and exits non-zero when one fails (✗). Warnings (!) do not fail.',
    'Run it where the bot runs, with its environment. With an administrator token (--token or',
    "CHATWOOT_ADMIN_TOKEN) it also checks the bot's webhook URL, secret, inboxes, hand-off teams and bot panel in Chatwoot.",
    'It also proves the running bot end to end: GET PUBLIC_URL/healthz, then a signed test event to',
    'PUBLIC_URL/chatwoot/webhook, which the bot must answer "ignored" (nothing is stored or sent).',
    '',
    'Example: chatwoot-hermes-bot doctor --account 1 --token <admin token>',
  ].join('\n'),
  options: { ...ADMIN_OPTIONS, ...JSON_OPTION },
  async run(io, args) {
    if (args.positionals.length > 0) throw new CliError(`doctor takes no arguments (got "${args.positionals.join(' ')}")`, 2);
    const results: CheckResult[] = [];
    const name = botNameOf(args);
    const rawAccount = stringOption(args, 'account') ?? io.env.CHATWOOT_ACCOUNT_ID?.trim();
    const accountId = accountIdOf(rawAccount);
    const report = () => {
      if (wantsJson(args)) printJson(io, reportJson({ bot: name, accountId }, results));
      else io.out(renderReport(`chatwoot-hermes-bot doctor — bot "${name}"${accountId === null ? '' : `, account ${accountId}`}`, results));
      return results.some((r) => r.status === 'fail') ? 1 : 0;
    };

    const { result: configResult, config } = checkConfig(io);
    results.push(configResult);
    if (!config) {
      results.push(skip('Chatwoot, Hermes and store checks skipped until the configuration is valid'));
      return report();
    }

    // Chatwoot: the bot token, then (administrator token) the bot's own settings and inboxes.
    let bot: AgentBot | null = null;
    let admin: ChatwootAdmin | null = null;
    if (accountId === null) {
      results.push(fail(PROBLEMS.accountMissing, rawAccount ? `"${rawAccount}" is not an account id` : "needed to check the bot's token and settings in Chatwoot"));
    } else {
      const [token, info] = await Promise.all([checkBotToken(config, accountId), readChatwootInfo(config.chatwoot.url)]);
      results.push(token.result);
      if (token.reachable) results.push(...checkChatwootVersion(info, token.rights));
      const adminToken = stringOption(args, 'token') ?? io.env.CHATWOOT_ADMIN_TOKEN?.trim();
      if (!adminToken) {
        results.push(
          warn(
            "The bot's webhook URL, secret and inboxes in Chatwoot were not checked: no administrator token",
            "Run doctor with --token <an administrator's access token> (or CHATWOOT_ADMIN_TOKEN) to check them too.",
          ),
        );
      } else if (!token.reachable) {
        results.push(skip("The bot's webhook URL, secret and inboxes in Chatwoot were not checked: Chatwoot is not reachable"));
      } else {
        admin = new ChatwootAdmin(config.chatwoot.url, adminToken, accountId, 5000);
        const found = await checkBotInChatwoot(admin, config, name);
        results.push(...found.results);
        bot = found.bot;
      }
    }
    results.push(checkSigningSecret(config, bot));
    results.push(await checkPublicUrl(config.publicUrl));
    if (config.publicUrl) {
      // Signed with Chatwoot's own secret when the administrator token showed it: what the bot must accept.
      const chatwootSecret = typeof bot?.secret === 'string' && bot.secret !== '' ? bot.secret : undefined;
      results.push(
        await checkRunningBot({
          publicUrl: config.publicUrl,
          secret: chatwootSecret ?? config.chatwoot.webhookSecret,
          secretSource: chatwootSecret ? 'chatwoot' : 'env',
          webhookToken: config.chatwoot.webhookToken,
          ...(io.reach ? { reach: io.reach } : {}),
        }),
      );
    }

    // The store first: it holds the inboxes' own Hermes profiles and the evidence of a strict build.
    const { result: storeResult, store } = await checkStore(config.store, io.log);
    try {
      const overrides = store ? new Map((await store.listInboxSettings()).map((r) => [r.inboxId, r.settings])) : null;
      if (admin && bot) results.push(await checkInboxes(admin, bot, overrides));
      if (admin) results.push(await checkPanel(admin, config.publicUrl, store));
      const teams = admin && overrides ? await checkHandoffTeams(admin, overrides) : null;
      if (teams) results.push(teams);

      results.push(await checkHermes('Hermes', config.hermes.url, config.hermes.apiKey));
      for (const [inboxId, settings] of overrides ?? []) {
        // An inbox's own Hermes profile matters only where the bot is switched on.
        if (settings.enabled === false || (typeof settings.hermesUrl !== 'string' && typeof settings.hermesApiKey !== 'string')) continue;
        const url = typeof settings.hermesUrl === 'string' ? settings.hermesUrl.replace(/\/+$/, '') : config.hermes.url;
        const key = typeof settings.hermesApiKey === 'string' ? settings.hermesApiKey : config.hermes.apiKey;
        results.push(await checkHermes(`Hermes of inbox ${inboxId}`, url, key));
      }
      results.push(storeResult);
      const strict = store ? await strictBuildWarning(store) : null;
      if (strict) results.push(strict);
    } finally {
      await store?.close();
    }
    return report();
  },
};
