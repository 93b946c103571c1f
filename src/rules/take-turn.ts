import type { Turn, TurnOutcome } from '../domain/turn.js';
import type { Decision } from './context.js';
import type { OpenTurnRow, StoredTurnMessage, TurnSnapshot } from './rows.js';
import { turnIdFor } from './turn-id.js';
import type { Write } from './writes.js';

export type TakeTurnResult = { turn: Turn } | { turn: null; nextDueAt: number | null };

/**
 * The store's `takeTurn`: the conversation's unfinished turn comes back first (recovery after a crash
 * or a drain, one attempt more); else, once the debounce time has come, every pending message goes
 * into a new turn, in message-id order, with what was said while the bot was silent as hand-back
 * context (once: those messages become `shared`).
 */
export function decideTakeTurn(snapshot: TurnSnapshot, now: number): Decision<TakeTurnResult> {
  const { key, conversation, openTurn } = snapshot;
  // Every decision writes the conversation row (its version), so a takeTurn and a finishTurn or an
  // accept of the same conversation never both act on what they read.
  const guard = (dueAt?: null): Write[] =>
    conversation === null ? [] : [{ kind: 'conversation', key, expectedVersion: conversation.version, patch: dueAt === null ? { dueAt: null } : {} }];
  if (openTurn) {
    const attempt = openTurn.attempts + 1;
    return { result: { turn: turnOf(snapshot, openTurn, attempt) }, writes: [...guard(), { kind: 'turnAttempt', turnId: openTurn.id, attempts: attempt }] };
  }
  const pending = snapshot.candidates.filter((m) => m.state === 'pending').sort(byMessageId);
  if (conversation === null || pending.length === 0) return { result: { turn: null, nextDueAt: null }, writes: guard(null) };
  const dueAt = conversation.dueAt ?? now;
  if (dueAt > now) return { result: { turn: null, nextDueAt: dueAt }, writes: [] };

  const ids = pending.map((m) => m.messageId);
  const id = turnIdFor(key, ids);
  const context = snapshot.candidates.filter((m) => m.state === 'context' || m.state === 'held').sort(byMessageId);
  const writes: Write[] = [
    ...guard(null),
    { kind: 'turn', id, key, inboxId: conversation.inboxId, messageIds: ids, createdAt: now },
    { kind: 'messageStates', accountId: key.accountId, messageIds: ids, state: 'in_turn', turnId: id },
  ];
  if (context.length > 0) writes.push({ kind: 'messageStates', accountId: key.accountId, messageIds: context.map((m) => m.messageId), state: 'shared', turnId: id });
  const row: OpenTurnRow = {
    id,
    inboxId: conversation.inboxId,
    attempts: 1,
    reply: null,
    createdAt: now,
    messages: [...pending.map((m) => ({ ...m, state: 'in_turn' as const })), ...context.map((m) => ({ ...m, state: 'shared' as const }))],
  };
  return { result: { turn: turnOf(snapshot, row, 1) }, writes };
}

function byMessageId(a: StoredTurnMessage, b: StoredTurnMessage): number {
  return a.messageId - b.messageId;
}

function turnOf(snapshot: TurnSnapshot, row: OpenTurnRow, attempt: number): Turn {
  const messages = [...row.messages].sort(byMessageId);
  const strip = ({ state: _state, ...m }: StoredTurnMessage) => m;
  return {
    id: row.id,
    key: snapshot.key,
    inboxId: row.inboxId,
    messages: messages.filter((m) => m.state !== 'shared').map(strip),
    context: messages.filter((m) => m.state === 'shared').map(strip),
    attempt,
    reply: row.reply,
    createdAt: row.createdAt,
  };
}

/** How a finished turn leaves its messages (hand-back context stays `shared`), and whether it counts for the session. */
export function finishTurnEffects(outcome: TurnOutcome): { messageState: 'answered' | 'skipped' | 'failed'; delivered: boolean } {
  return { messageState: outcome === 'delivered' ? 'answered' : outcome === 'skipped' ? 'skipped' : 'failed', delivered: outcome === 'delivered' };
}
