import type { AcceptResult } from '../domain/intake.js';
import type { RuleContext } from './context.js';
import { pendingDueAt } from './debounce.js';

/**
 * The hand-back: a silenced conversation (human, handed_off) resumes once it has left `pending` and
 * come back. Customer messages held (they arrived with status pending) after it left `pending` belong
 * to the new bot phase: Chatwoot sends events in parallel, so the customer's message can overtake the
 * status event that reopened it. `paused` ends only by /bot resume.
 */
export function decideStatus(ctx: RuleContext, status: string): AcceptResult {
  const { conv, patch, now } = ctx;
  if (conv.botState === 'active' || conv.botState === 'paused') return { outcome: 'stored', dueAt: null };
  if (status !== 'pending') {
    if (conv.leftPendingAt === null) patch.leftPendingAt = now;
    return { outcome: 'stored', dueAt: null };
  }
  const leftAt = conv.leftPendingAt;
  if (leftAt === null) return { outcome: 'stored', dueAt: null, note: 'still silenced: conversation has not left pending since the takeover' };
  patch.botState = 'active';
  patch.stateReason = 'conversation returned to pending';
  patch.stateChangedAt = now;
  patch.leftPendingAt = null;
  const released = ctx.snapshot.waiting.filter((w) => w.state === 'held' && w.receivedAt >= leftAt);
  if (released.length > 0) ctx.writes.push({ kind: 'messageStates', accountId: ctx.key.accountId, messageIds: released.map((w) => w.messageId), state: 'pending' });
  const pending = [...ctx.snapshot.waiting.filter((w) => w.state === 'pending'), ...released];
  const dueAt = pendingDueAt(pending, now, ctx.policy);
  patch.dueAt = dueAt;
  return { outcome: 'stored', dueAt, note: 'bot resumed' };
}
