/**
 * What a turn posts, by name. The outbox numbers a turn's parts: Hermes' reply is split into parts
 * 0..n; a hand-off adds a message to the customer and a private note for the team, a blocked reply a
 * note; those sit at fixed numbers above any reply part, so "the reply's parts" is `part < fallback`
 * (in SQL too, with the number passed as a parameter from here).
 */
export const HANDOFF_PARTS = { fallback: 900, note: 901, blocked: 902 } as const;

/** How every hand-off note starts, so the team tells the bot's notes apart at a glance. */
export const HANDOFF_NOTE_PREFIX = '🤖 Bot handed this conversation to the team: ';

export type PartKind = 'reply' | 'fallback' | 'note' | 'blocked';

export function partKind(part: number): PartKind {
  if (part === HANDOFF_PARTS.fallback) return 'fallback';
  if (part === HANDOFF_PARTS.note) return 'note';
  if (part === HANDOFF_PARTS.blocked) return 'blocked';
  return 'reply';
}

export function isReplyPart(p: { part: number }): boolean {
  return p.part < HANDOFF_PARTS.fallback;
}

/** Which part of which turn's outbox. */
export interface PartRef {
  turnId: string;
  part: number;
}

/** A move along planned → posting → posted | failed; `chatwootMessageId` once Chatwoot stored it. */
export interface PartStateChange {
  state: 'posting' | 'posted' | 'failed';
  now: number;
  chatwootMessageId?: number | null;
}

export interface OutboxPart {
  turnId: string;
  part: number;
  content: string;
  private: boolean;
  state: 'planned' | 'posting' | 'posted' | 'failed';
  chatwootMessageId: number | null;
}
