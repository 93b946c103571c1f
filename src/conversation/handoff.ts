import type { ChatwootClient } from '../chatwoot/client.js';
import type { ConversationKey } from '../chatwoot/events.js';
import type { Logger } from '../logger.js';
import { HANDOFF_PARTS, type Store } from '../store/store.js';
import type { Outbox } from './outbox.js';

export interface HandoffRequest {
  key: ConversationKey;
  turnId: string;
  /** For the team, in a private note. Never shown to the customer. */
  reason: string;
  /** Send FALLBACK_MESSAGE to the customer (failures), or not (the bot already said goodbye). */
  sendFallback: boolean;
}

/**
 * Hands a conversation to humans, the one path every hand-off takes so the team always sees why:
 * the customer gets the configured fallback message (never the raw error), the team a private note
 * with the reason, and the conversation becomes `open` (Chatwoot's bot_handoff!). The bot stays
 * silent there until the conversation has left `pending` and come back.
 * Each step is best effort: a failing note must not keep the conversation from being opened.
 */
export class Handoff {
  constructor(
    private readonly deps: { store: Store; chatwoot: ChatwootClient; outbox: Outbox; log: Logger; fallbackMessage: string | undefined },
  ) {}

  async run(req: HandoffRequest): Promise<void> {
    const { store, chatwoot, outbox, log, fallbackMessage } = this.deps;
    const now = Date.now();
    await store.setBotState(req.key, 'handed_off', req.reason, now);
    const parts: Array<{ part: number; content: string; private: boolean }> = [{ part: HANDOFF_PARTS.note, content: `🤖 Bot handed this conversation to the team: ${req.reason}`, private: true }];
    if (req.sendFallback && fallbackMessage) parts.unshift({ part: HANDOFF_PARTS.fallback, content: fallbackMessage, private: false });
    const planned = await store.planParts(req.turnId, null, parts);
    for (const part of planned.filter((p) => p.part >= HANDOFF_PARTS.fallback)) {
      try {
        await outbox.post(req.key, part);
      } catch (error) {
        log.error({ ...logKey(req.key), turnId: req.turnId, part: part.part, err: String(error) }, 'hand-off message could not be posted');
      }
    }
    try {
      await chatwoot.toggleStatus(req.key, 'open');
    } catch (error) {
      log.error({ ...logKey(req.key), turnId: req.turnId, err: String(error) }, 'hand-off could not open the conversation');
    }
    log.warn({ ...logKey(req.key), turnId: req.turnId, reason: req.reason }, 'conversation handed to humans');
  }
}

export function logKey(key: ConversationKey): { account: number; conversation: number } {
  return { account: key.accountId, conversation: key.conversationId };
}
