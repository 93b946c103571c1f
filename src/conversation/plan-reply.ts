import { HANDOFF_PARTS } from '../domain/outbox.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { EMPTY_REPLIES_BEFORE_HANDOFF, type GuardVerdict } from '../safety/index.js';
import type { OutboxPart, Store } from '../store/store.js';
import type { TurnAttempt, TurnResult } from './attempt.js';
import type { Handoff } from './handoff.js';
import { splitReply } from './split.js';
import { toLegacyWhatsApp } from './whatsapp-format.js';

export interface PlanReplyDeps {
  store: Pick<Store, 'bumpEmptyStreak' | 'planParts' | 'getOutbox'>;
  handoff: Pick<Handoff, 'plan'>;
  log: Logger;
  metrics?: Pick<BotMetrics, 'replyBlocked'> | undefined;
}

/** Hermes' answer and what the reply checks (safety/reply-guard.ts) made of it. */
export interface JudgedReply {
  content: string;
  verdict: GuardVerdict;
}

/**
 * What a judged reply becomes: the turn's outbox as planned (reply parts, or a private note on a
 * blocked reply, plus the hand-off's messages when Hermes asked for one), or a hand-off now. Planning
 * is recorded before anything is posted, so a resumed turn delivers this plan and never asks again.
 */
export async function planReply(deps: PlanReplyDeps, attempt: TurnAttempt, reply: JudgedReply): Promise<TurnResult | OutboxPart[]> {
  const { store, log } = deps;
  const { turn, settings } = attempt;
  const { content, verdict } = reply;
  if (verdict.action === 'block') {
    deps.metrics?.replyBlocked(verdict.kind);
    const excerpt = content.trim().slice(0, 1000);
    const what = `Blocked a reply from Hermes (${verdict.kind}): ${verdict.reason}.${excerpt ? `\n---\n${excerpt}` : ''}`;
    // The guard never counts: one empty reply is only noted, a streak of them is a broken agent.
    if (verdict.kind === 'empty' && !verdict.handoff) {
      const streak = await store.bumpEmptyStreak(turn.key);
      const empties = `Hermes returned ${streak} empty replies in a row`;
      if (streak >= EMPTY_REPLIES_BEFORE_HANDOFF) return attempt.handOff({ kind: 'empty_replies', note: empties, log: empties }, settings.fallbackMessage);
    }
    // The guard's reason quotes the reply, which may repeat what the customer wrote: the kind is logged.
    if (verdict.handoff) return attempt.handOff({ kind: 'reply_blocked', note: what, log: `reply blocked (${verdict.kind})` }, settings.fallbackMessage);
    const planned = await store.planParts(turn.id, content, [{ part: HANDOFF_PARTS.blocked, content: `🤖 ${what}`, private: true }]);
    log.warn({ ...attempt.logFields, kind: verdict.kind }, 'reply blocked');
    return planned;
  }

  const text = settings.legacyWhatsAppFormat ? toLegacyWhatsApp(verdict.text) : verdict.text;
  const planned = await store.planParts(turn.id, content, splitReply(text).map((part, i) => ({ part: i, content: part, private: false })));
  if (!verdict.handoff) return planned;
  // A reply with the hand-off marker: deliver it, then hand off. Planned now so a crash in between still does.
  await deps.handoff.plan({ key: turn.key, turnId: turn.id, reason: `Hermes asked for a human (${verdict.handoff.reason})`, customerMessage: undefined, settings });
  return store.getOutbox(turn.id);
}
