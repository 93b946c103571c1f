import type { Config } from '../../config/index.js';
import type { AgentBot } from '../chatwoot-admin.js';
import { fail, ok, PROBLEMS, warn, type CheckResult } from './report.js';

/**
 * CHATWOOT_WEBHOOK_SECRET: set, and (with an administrator token) equal to the bot's Webhook Secret.
 * `bot` is null when Chatwoot's side could not be read; `secret` absent from a bot = Chatwoot before 4.13.
 */
export function checkSigningSecret(config: Config, bot: AgentBot | null): CheckResult {
  const secret = config.chatwoot.webhookSecret;
  const chatwootSigns = bot ? typeof bot.secret === 'string' && bot.secret !== '' : null;
  if (secret) {
    if (chatwootSigns === null) return ok('Signing secret set (not compared with Chatwoot\'s: that needs an administrator token)');
    if (!chatwootSigns) {
      return config.chatwoot.webhookToken
        ? ok('Signing secret set; this Chatwoot does not sign (before 4.13), WEBHOOK_TOKEN authenticates its webhooks')
        : warn(
            'Signing secret set, but Chatwoot shows no Webhook Secret for the bot (before 4.13?): unsigned webhooks would all be refused',
            'Upgrade Chatwoot to 4.13+, or set WEBHOOK_TOKEN and run chatwoot-hermes-bot install so the webhook URL carries it.',
          );
    }
    return bot!.secret === secret
      ? ok("Signing secret set; it matches the bot's Webhook Secret")
      : fail(PROBLEMS.secretMismatch, 'CHATWOOT_WEBHOOK_SECRET is not the Webhook Secret Chatwoot signs with');
  }
  if (chatwootSigns === false) {
    return warn(
      'Webhooks are authenticated by WEBHOOK_TOKEN only: this Chatwoot does not sign them (before 4.13)',
      'Upgrade Chatwoot to 4.13 or later and set CHATWOOT_WEBHOOK_SECRET to the bot\'s Webhook Secret.',
    );
  }
  return fail(PROBLEMS.secretMissing, 'CHATWOOT_WEBHOOK_SECRET is empty; webhooks are authenticated by WEBHOOK_TOKEN alone');
}
