import type { ConversationKey } from '../domain/conversation.js';
import { HANDOFF_NOTE_PREFIX } from '../domain/outbox.js';
import type { PanelRows } from '../domain/panel.js';

/** How many recent turns the panel shows (their Hermes latency). */
export const PANEL_TURNS = 8;

export type Speaker = 'bot' | 'paused' | 'handed_off' | 'human';

/** What the panel's API answers for a conversation: the bot's state, never message contents, never a token or key. */
export interface PanelView {
  conversation: { accountId: number; conversationId: number; status: string | null };
  speaker: { who: Speaker; why: string; since: number | null };
  session: { id: string; turns: number; generation: number; startedAt: number } | null;
  waiting: { messages: number; answerAt: number | null };
  lastIssue: { kind: 'handed_off' | 'blocked'; reason: string; at: number } | null;
  /** Newest first; ms null when Hermes did not answer (timeout, error, or a turn that never asked). */
  latency: Array<{ at: number; ms: number | null; outcome: string }>;
  now: number;
}

const MAX_REASON = 200;

/**
 * A recorded reason without what it quotes: the bot's reasons quote the customer or Hermes in double
 * quotes ("the customer asked for a human: \"…\"", a blocked reply's excerpt after a line break), and
 * the panel shows the bot's state, not what was said.
 */
export function withoutQuotes(reason: string): string {
  // A hand-off replayed from its planned note (panel, failed delivery) records the note's prefix too.
  const cut = reason.replace(HANDOFF_NOTE_PREFIX, '').replace(/^🤖\s*/u, '').split(/["“”«\n]/)[0]!.trim().replace(/[:;,.\s—-]+$/, '');
  return cut.length > MAX_REASON ? `${cut.slice(0, MAX_REASON - 1)}…` : cut;
}

function speakerOf(rows: PanelRows): PanelView['speaker'] {
  const c = rows.conversation;
  if (!c) return { who: 'bot', why: 'the bot has not seen this conversation yet: it answers once a customer writes while it is pending', since: null };
  const reason = c.stateReason ? withoutQuotes(c.stateReason) : '';
  switch (c.botState) {
    case 'paused':
      return { who: 'paused', why: reason || 'paused by an agent', since: c.stateChangedAt };
    case 'handed_off':
      return { who: 'handed_off', why: reason || 'handed to the team', since: c.stateChangedAt };
    case 'human':
      return { who: 'human', why: reason || 'a human replied or was assigned', since: c.stateChangedAt };
    default:
      return {
        who: 'bot',
        why: c.lastStatus === 'pending' || c.lastStatus === null ? 'the conversation is pending: the bot answers' : `the conversation is ${c.lastStatus}: the bot answers only pending ones`,
        since: c.stateChangedAt,
      };
  }
}

export function toPanelView(key: ConversationKey, rows: PanelRows, now: number): PanelView {
  const c = rows.conversation;
  const s = rows.session;
  return {
    conversation: { accountId: key.accountId, conversationId: key.conversationId, status: c?.lastStatus ?? null },
    speaker: speakerOf(rows),
    session: s ? { id: s.sessionId, turns: s.turnCount, generation: s.generation, startedAt: s.createdAt } : null,
    waiting: { messages: rows.waiting, answerAt: rows.waiting > 0 && c?.botState === 'active' ? (c.dueAt ?? null) : null },
    lastIssue: rows.lastIssue ? { ...rows.lastIssue, reason: withoutQuotes(rows.lastIssue.reason) } : null,
    latency: rows.turns.map((t) => ({ at: t.finishedAt ?? t.createdAt, ms: t.hermesMs, outcome: t.state })),
    now,
  };
}
