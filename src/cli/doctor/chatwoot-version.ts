import axios from 'axios';
import { BOT_RIGHTS_SINCE } from '../../chatwoot/bot-rights.js';
import type { BotRights } from './chatwoot.js';
import { ok, warn, type CheckResult } from './report.js';

/** What Chatwoot says about itself at `GET /api` (api_controller.rb#index: public, no token). */
export interface ChatwootInfo {
  /** config/app.yml's version, e.g. '4.14.1'; null when /api did not answer like Chatwoot. */
  version: string | null;
  /** 'ok' or 'failing': Redis (Sidekiq, which delivers webhooks) and Postgres, as Chatwoot sees them. */
  queueServices: string | null;
  dataServices: string | null;
}

export async function readChatwootInfo(chatwootUrl: string): Promise<ChatwootInfo> {
  const none: ChatwootInfo = { version: null, queueServices: null, dataServices: null };
  try {
    const res = await axios.get(`${chatwootUrl.replace(/\/+$/, '')}/api`, { timeout: 5000, maxRedirects: 0, validateStatus: () => true });
    const data = res.data as Record<string, unknown> | null;
    if (res.status !== 200 || typeof data !== 'object' || data === null) return none;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 40) : null);
    return { version: text(data.version), queueServices: text(data.queue_services), dataServices: text(data.data_services) };
  } catch {
    // Reachability is judged by the token check; the version is a bonus.
    return none;
  }
}

/**
 * The release's limits for the bot, from what the token check saw (a fork may differ from its version
 * number, so the 401 decides, the version only names it), and Chatwoot's own health report.
 */
export function checkChatwootVersion(info: ChatwootInfo, rights: BotRights): CheckResult[] {
  const results: CheckResult[] = [];
  const name = info.version ? `Chatwoot ${info.version}` : 'This Chatwoot (its version is not published at /api)';
  if (rights === 'full') results.push(ok(`${name}: the bot token may read conversations and labels`));
  if (rights === 'limited') {
    results.push(
      warn(
        `${name} lets bots neither read a conversation nor read or write its labels (before ${BOT_RIGHTS_SINCE})`,
        `Upgrade Chatwoot to ${BOT_RIGHTS_SINCE} or later. Until then the bot works with less: hand-offs open the conversation without the hand-off label (the private note says so), the check before each reply relies on the last status Chatwoot sent instead of reading it, and bot-off is read from each webhook.`,
      ),
    );
  }
  const failing = [info.queueServices === 'failing' ? 'its job queue (Redis)' : null, info.dataServices === 'failing' ? 'its database' : null].filter(Boolean);
  if (failing.length > 0) {
    results.push(
      warn(
        `Chatwoot reports ${failing.join(' and ')} failing (GET /api)`,
        "Chatwoot sends webhooks from background jobs: while its Redis or Postgres fails, the bot hears nothing. Check Chatwoot's own services (its logs, `docker compose ps`).",
      ),
    );
  }
  return results;
}
