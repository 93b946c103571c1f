import { MARK, plural } from '../format.js';

export type Status = 'ok' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  status: Status;
  /** One line: what is right, or what is wrong. */
  title: string;
  /** Further lines (the list of configuration problems, the URLs compared…). */
  details?: string[];
  /** What to do; shown under every ✗ and !. */
  fix?: string;
}

/**
 * Every ✗ the doctor can print, with its fix. README's Troubleshooting section lists the same
 * headlines (a test checks it), so a reader can search for the line they see.
 */
export const PROBLEMS = {
  configInvalid: { headline: 'Configuration invalid', fix: 'Set the settings named above, in the environment or in .env (README → Configuration lists them all).' },
  accountMissing: { headline: 'No Chatwoot account id', fix: "Set CHATWOOT_ACCOUNT_ID or pass --account: the number after /app/accounts/ in Chatwoot's address." },
  chatwootUnreachable: { headline: 'Chatwoot not reachable', fix: 'Check CHATWOOT_URL (the address you open Chatwoot at) and that this machine can reach it (DNS, firewall, proxy).' },
  botTokenRefused: {
    headline: 'Chatwoot refuses CHATWOOT_BOT_TOKEN',
    fix: "Copy the bot's Access Token from Chatwoot → Settings → Bots into CHATWOOT_BOT_TOKEN, or run: chatwoot-hermes-bot install --write-env",
  },
  adminRefused: {
    headline: 'Chatwoot refuses the administrator token',
    fix: "Use the access token of an administrator of this account (Chatwoot → Profile settings → Access Token) in CHATWOOT_ADMIN_TOKEN or --token.",
  },
  botMissing: { headline: 'Bot not installed', fix: 'Run: chatwoot-hermes-bot install' },
  botTokenMismatch: {
    headline: "CHATWOOT_BOT_TOKEN is not this bot's token",
    fix: "Run chatwoot-hermes-bot install --write-env, or copy the bot's Access Token from Chatwoot → Settings → Bots.",
  },
  publicUrlMissing: { headline: 'PUBLIC_URL not set', fix: 'Set PUBLIC_URL to the address where Chatwoot reaches this bot (e.g. https://bot.example.com), then run: chatwoot-hermes-bot install' },
  webhookUrlMismatch: {
    headline: 'Webhook URL mismatch',
    fix: "Run chatwoot-hermes-bot install: it sets the bot's webhook URL to PUBLIC_URL + /chatwoot/webhook. If PUBLIC_URL is the wrong one, correct it first.",
  },
  secretMissing: {
    headline: 'Signing secret not set',
    fix: "Copy the bot's Webhook Secret (Chatwoot → Settings → Bots) into CHATWOOT_WEBHOOK_SECRET, or run: chatwoot-hermes-bot install --write-env",
  },
  secretMismatch: {
    headline: "Signing secret differs from the bot's Webhook Secret",
    fix: "Every webhook would be refused (401). Copy the bot's Webhook Secret (Chatwoot → Settings → Bots) into CHATWOOT_WEBHOOK_SECRET, or run: chatwoot-hermes-bot install --write-env",
  },
  hermesUnreachable: {
    headline: 'Hermes not reachable',
    fix: 'Check HERMES_URL, and that the Hermes API server runs (API_SERVER_ENABLED=true, `hermes gateway run`) on an address this machine reaches (API_SERVER_HOST, port 8642 by default).',
  },
  hermesKeyRefused: { headline: 'Hermes refuses the API key', fix: 'Set HERMES_API_KEY (or the inbox\'s hermesApiKey) to API_SERVER_KEY from $HERMES_HOME/.env.' },
  hermesNotApiServer: {
    headline: 'HERMES_URL is not a Hermes API server',
    fix: "Point HERMES_URL at Hermes' API server (default port 8642), not at its webhook listener (8644) or another service.",
  },
  hermesNoSessionHeader: {
    headline: 'Hermes offers no session header',
    fix: 'Without X-Hermes-Session-Id conversations lose their history. Upgrade Hermes Agent (the header exists since April 2026, PR #4478).',
  },
  hermesRiskyTools: {
    headline: 'Hermes offers customers risky tools',
    fix: "Every WhatsApp customer can ask the model to use them. In Hermes' $HERMES_HOME/config.yaml set platform_toolsets: {api_server: [web, vision, todo, no_mcp]} (only what customers need; README → Securing Hermes for customers), then run doctor again.",
  },
  botUnreachable: {
    headline: 'Bot not reachable at PUBLIC_URL',
    fix: "Start the bot (npm start, systemctl start …, or scale the Heroku web dyno) and make sure PUBLIC_URL leads to it: DNS, firewall, and the reverse proxy's upstream (the bot's PORT, e.g. Caddy: reverse_proxy 127.0.0.1:3000).",
  },
  botTls: {
    headline: 'TLS to PUBLIC_URL fails',
    fix: "Chatwoot checks the certificate as this machine does: serve a valid certificate for PUBLIC_URL's host (e.g. Caddy or Let's Encrypt), or use http:// if that port speaks plain HTTP.",
  },
  notThisBot: {
    headline: 'PUBLIC_URL does not lead to this bot',
    fix: 'Point the address at the bot (GET /healthz must answer {"status":"ok"}, POST /chatwoot/webhook must reach it as sent), or correct PUBLIC_URL and run chatwoot-hermes-bot install.',
  },
  runningSecretDiffers: {
    headline: 'The running bot refuses the signature',
    fix: "The process behind PUBLIC_URL runs with another CHATWOOT_WEBHOOK_SECRET (or WEBHOOK_TOKEN) than Chatwoot's: set the bot's Webhook Secret (Chatwoot → Settings → Bots) in the running bot's environment (e.g. heroku config:set) and restart it.",
  },
  bodyRewritten: {
    headline: 'The proxy changes the webhook body',
    fix: 'Something between Chatwoot and the bot re-encodes the JSON body, so signatures over the exact bytes no longer match: pass the body through unchanged (no JSON re-serialising, charset conversion or body rewriting in the proxy).',
  },
  headersDropped: {
    headline: 'The signature headers do not reach the bot',
    fix: 'The proxy drops X-Chatwoot-Signature or X-Chatwoot-Timestamp: let it pass every request header through.',
  },
  clockSkew: {
    headline: "Clocks disagree with the bot's",
    fix: "The bot refuses webhooks stamped more than 5 minutes from its own clock: keep the bot's host, Chatwoot's and this machine's clocks on NTP (e.g. timedatectl set-ntp true).",
  },
  teamUnknown: {
    headline: 'Hand-off team does not exist',
    fix: 'Chatwoot answers an unknown team id with 200 and clears the team, so hand-offs would reach no team: set the id of an existing team (Settings → Teams) with chatwoot-hermes-bot inbox-config <inbox-id> handoffTeamId=<id>, or remove it with handoffTeamId=',
  },
  storeUnwritable: {
    headline: 'Store not writable',
    fix: 'Make DATA_DIR a writable, persistent directory, or check DATABASE_URL (host reachable, credentials, TLS).',
  },
} as const;

export type Problem = (typeof PROBLEMS)[keyof typeof PROBLEMS];

export const ok = (title: string, details?: string[]): CheckResult => ({ status: 'ok', title, ...(details ? { details } : {}) });
export const warn = (title: string, fix: string, details?: string[]): CheckResult => ({ status: 'warn', title, fix, ...(details ? { details } : {}) });
export const skip = (title: string): CheckResult => ({ status: 'skip', title });
export function fail(problem: Problem, detail: string, details?: string[]): CheckResult {
  return { status: 'fail', title: `${problem.headline}: ${detail}`, fix: problem.fix, ...(details ? { details } : {}) };
}

export function renderReport(heading: string, results: CheckResult[]): string {
  const lines = [heading, ''];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.title}`);
    for (const d of r.details ?? []) lines.push(`    ${d}`);
    if (r.fix && (r.status === 'fail' || r.status === 'warn')) lines.push(`    fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('');
  lines.push(failed === 0 ? `All checks passed${warned ? `, ${plural(warned, 'warning')}` : ''}.` : `${plural(failed, 'check')} failed${warned ? `, ${plural(warned, 'warning')}` : ''}.`);
  return lines.join('\n');
}

/**
 * `doctor --json`: the same checks, in order, every key always present (details [] and fix null when
 * there are none) so a script need not test for absent keys. `ok` is false exactly when doctor exits 1.
 */
export function reportJson(head: { bot: string; accountId: number | null }, results: CheckResult[]) {
  const failed = results.filter((r) => r.status === 'fail').length;
  return {
    bot: head.bot,
    accountId: head.accountId,
    ok: failed === 0,
    failed,
    warnings: results.filter((r) => r.status === 'warn').length,
    checks: results.map((r) => ({ status: r.status, title: r.title, details: r.details ?? [], fix: r.fix ?? null })),
  };
}
