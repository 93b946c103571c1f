import type { ChatwootClient } from '../chatwoot/client.js';
import type { BotEvent } from '../domain/events.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import { logKey } from '../domain/conversation.js';
import { errorForLog } from '../util/error-for-log.js';

/**
 * What the bot does right after an event is stored, besides scheduling a turn:
 * - a human took over a pending conversation → open it (configurable), so Chatwoot shows a human owns it;
 * - the conversation was resolved and the inbox starts a new Hermes session per resolve → reset it.
 * Calls to Chatwoot run in the background: the webhook's answer never waits on them.
 */
export class Reactions {
  constructor(private readonly deps: { chatwoot: Pick<ChatwootClient, 'toggleStatus'>; sessions: Pick<SessionRunner, 'reset'>; log: Logger }) {}

  async afterStored(event: BotEvent, settings: ResolvedInboxSettings): Promise<void> {
    if (event.kind === 'takeover' && settings.openOnTakeover && event.status === 'pending') {
      void this.deps.chatwoot
        .toggleStatus(event.key, 'open')
        .then(() => this.deps.log.info({ ...logKey(event.key), by: event.by }, 'conversation opened after a human took over'))
        .catch((error) => this.deps.log.warn({ ...logKey(event.key), err: errorForLog(error) }, 'could not open the conversation after a takeover'));
    }
    if (event.kind === 'status' && event.status === 'resolved' && settings.sessionPolicy === 'reset-on-resolve') {
      const session = await this.deps.sessions.reset(event.key);
      this.deps.log.info({ ...logKey(event.key), sessionId: session.sessionId }, 'conversation resolved: next message starts a new Hermes session');
    }
  }
}
