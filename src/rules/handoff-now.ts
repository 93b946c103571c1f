import { HANDOFF_NOTE_PREFIX, HANDOFF_PARTS } from '../domain/outbox.js';
import type { Decision } from './context.js';
import type { TurnSnapshot } from './rows.js';
import { plannedHandoffTurnId } from '../domain/turn.js';

/**
 * An agent asked for a hand-off from the bot panel. Planned durably, like a failed WhatsApp delivery
 * (delivery-failed.ts): a turn of its own whose only part is the team's note, due now; the scheduler
 * runs it as a turn interrupted mid-hand-off (conversation/turn.ts), so the one hand-off path posts
 * the note, labels, assigns the team and opens the conversation, and a restart in between still does.
 * `at` makes the turn id unique per request.
 */
export function decideHandOffNow(snapshot: TurnSnapshot, req: { reason: string; now: number }): Decision<{ turnId: string }> {
  const { key, conversation } = snapshot;
  const { reason, now } = req;
  const turnId = plannedHandoffTurnId(key, { panelAt: now });
  return {
    result: { turnId },
    writes: [
      {
        kind: 'conversation',
        key,
        expectedVersion: conversation?.version ?? null,
        patch: { botState: 'handed_off', stateReason: reason, stateChangedAt: now, leftPendingAt: null, dueAt: now, updatedAt: now },
      },
      { kind: 'turn', id: turnId, key, inboxId: conversation?.inboxId ?? null, messageIds: [], createdAt: now },
      { kind: 'outboxPlanned', turnId, key, part: HANDOFF_PARTS.note, content: `${HANDOFF_NOTE_PREFIX}${reason}`, private: true },
    ],
  };
}
