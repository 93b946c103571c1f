import { conversationKeyString, type ConversationKey } from '../../domain/conversation.js';
import type { Decision } from '../../rules/context.js';
import { isWaiting, type AcceptSnapshot, type ConversationRow, type WaitingMessage } from '../../rules/rows.js';
import type { StoredEvent } from '../store.js';

/** Conversations remembered; beyond this the least recently written is dropped (a miss costs what a hint saves). */
const DEFAULT_CAPACITY = 10_000;

interface Hint {
  conversation: ConversationRow;
  waiting: WaitingMessage[];
}

/**
 * What this instance last wrote of each conversation, so that a customer's next message is decided
 * without reading first: one round trip (the guarded write) instead of two. A hint is never trusted
 * on its own. It is the snapshot a decision is made on, and that decision's write applies only if the
 * conversation's version is still the hint's and the message is not stored yet (apply.ts); otherwise
 * the same statement brings the real rows back and the rule decides again (decide.ts). A decision
 * that writes nothing is not checked by anything, so decide.ts reads before trusting it.
 *
 * A hint holds the conversation row and its waiting messages: everything decideAccept reads for a
 * customer's message but the message row itself, which the guard checks. It is exact for the
 * version it carries because every statement that changes a conversation's row or its waiting
 * messages also grows its version (the Postgres store's rule; privacy.ts keeps it for retention too),
 * and the hint is learned only from a decision whose writes are the conversation row and that one
 * message.
 */
export class AcceptHints {
  private readonly hints = new Map<string, Hint>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The snapshot to decide a customer's message on: the hint, or a conversation never seen (the guard's INSERT checks that). */
  guess(event: StoredEvent): AcceptSnapshot | null {
    if (event.kind !== 'customer_message') return null;
    const hint = this.hints.get(conversationKeyString(event.key));
    return { conversation: hint?.conversation ?? null, deliverySeen: false, message: null, waiting: hint?.waiting ?? [], echoCandidates: [], failedPart: null };
  }

  /** After a decision was written: `conversation` is the row as the write left it (RETURNING). */
  learn(key: ConversationKey, snapshot: AcceptSnapshot, decision: Decision<unknown>, conversation: ConversationRow | null): void {
    const id = conversationKeyString(key);
    this.hints.delete(id);
    if (conversation === null || !decision.writes.every((w) => w.kind === 'conversation' || w.kind === 'message')) return;
    const added = decision.writes.flatMap((w) =>
      w.kind === 'message' && isWaiting(w.state) ? [{ messageId: w.messageId, state: w.state, receivedAt: w.receivedAt, awaitingTranscript: w.awaitingTranscript }] : [],
    );
    this.hints.set(id, { conversation, waiting: [...snapshot.waiting, ...added] });
    if (this.hints.size > this.capacity) this.hints.delete(this.hints.keys().next().value!);
  }

  get size(): number {
    return this.hints.size;
  }
}
