import type { ChatwootClient } from '../chatwoot/client.js';
import type { ConversationKey } from '../chatwoot/events.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import type { Logger } from '../logger.js';
import { HANDOFF_PARTS, type Store } from '../store/store.js';
import type { Outbox } from './outbox.js';

export interface HandoffRequest {
  key: ConversationKey;
  turnId: string;
  /** For the team, in a private note. Never shown to the customer. */
  reason: string;
  /** Said to the customer before the conversation is opened (fallback or hand-off message), if any. */
  customerMessage: string | undefined;
  settings: Pick<ResolvedInboxSettings, 'handoffLabel' | 'handoffTeamId'>;
}

/**
 * Hands a conversation to humans — the one path every hand-off takes (failure, guard, marker,
 * keyword, 24-hour window), so the team always sees why: the customer gets a configured message
 * (never an error text), the team a private note with the reason, the conversation the hand-off
 * label (merged: Chatwoot replaces the whole set), optionally a team, and status `open`.
 * The bot stays silent there until the conversation has left `pending` and come back.
 * Each Chatwoot step is best effort: a failing note must not keep the conversation from opening.
 */
const NOTE_PREFIX = '🤖 Bot handed this conversation to the team: ';

export class Handoff {
  constructor(private readonly deps: { store: Store; chatwoot: ChatwootClient; outbox: Outbox; log: Logger }) {}

  /** Records the hand-off's messages in the outbox first, so a crash in between still hands off once. */
  async plan(req: Omit<HandoffRequest, 'settings'>): Promise<void> {
    const note = req.reason.startsWith(NOTE_PREFIX) ? req.reason : `${NOTE_PREFIX}${req.reason}`;
    const parts: Array<{ part: number; content: string; private: boolean }> = [{ part: HANDOFF_PARTS.note, content: note, private: true }];
    if (req.customerMessage) parts.unshift({ part: HANDOFF_PARTS.fallback, content: req.customerMessage, private: false });
    await this.deps.store.planParts(req.turnId, null, parts);
  }

  async run(req: HandoffRequest): Promise<void> {
    const { store, chatwoot, outbox, log } = this.deps;
    const ctx = { ...logKey(req.key), turnId: req.turnId };
    await store.setBotState(req.key, 'handed_off', req.reason, Date.now());
    await this.plan(req);
    const planned = await store.getOutbox(req.turnId);
    for (const part of planned.filter((p) => p.part === HANDOFF_PARTS.fallback || p.part === HANDOFF_PARTS.note)) {
      try {
        await outbox.post(req.key, part);
      } catch (error) {
        log.error({ ...ctx, part: part.part, err: String(error) }, 'hand-off message could not be posted');
      }
    }
    await this.step(ctx, 'label the conversation', () => chatwoot.addLabels(req.key, [req.settings.handoffLabel]));
    if (req.settings.handoffTeamId !== undefined) {
      const teamId = req.settings.handoffTeamId;
      await this.step(ctx, 'assign the team', () => chatwoot.assignTeam(req.key, teamId));
    }
    await this.step(ctx, 'open the conversation', () => chatwoot.toggleStatus(req.key, 'open'));
    log.warn({ ...ctx, reason: req.reason }, 'conversation handed to humans');
  }

  private async step(ctx: object, what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.deps.log.error({ ...ctx, err: String(error) }, `hand-off could not ${what}`);
    }
  }
}

export function logKey(key: ConversationKey): { account: number; conversation: number } {
  return { account: key.accountId, conversation: key.conversationId };
}
