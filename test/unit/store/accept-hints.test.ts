import { describe, expect, it } from 'vitest';
import type { ConversationKey } from '../../../src/domain/conversation.js';
import { decideAccept } from '../../../src/rules/accept.js';
import type { AcceptSnapshot, ConversationRow } from '../../../src/rules/rows.js';
import type { Write } from '../../../src/rules/writes.js';
import { AcceptHints } from '../../../src/store/postgres/accept-hints.js';
import type { StoredEvent } from '../../../src/store/store.js';

const key: ConversationKey = { accountId: 1, conversationId: 7 };
const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
const customer = (messageId: number, status = 'pending', k = key): StoredEvent => ({
  kind: 'customer_message',
  deliveryId: `d-${messageId}`,
  key: k,
  status,
  message: { messageId, inboxId: 3, contactId: 9, contactName: null, text: `m${messageId}`, attachments: [], createdAt: null },
});
const row = (version: number, over: Partial<ConversationRow> = {}): ConversationRow => ({ botState: 'active', leftPendingAt: null, dueAt: 3000, inboxId: 3, version, forgotten: false, ...over });

/** Decides `event` on the hints' guess and tells them it was written, the row as the write left it. */
function acceptOn(hints: AcceptHints, event: StoredEvent, now: number, written: ConversationRow): AcceptSnapshot {
  const snapshot = hints.guess(event)!;
  hints.learn(event.key, snapshot, decideAccept(snapshot, event, policy, now), written);
  return snapshot;
}

describe('AcceptHints: what an instance last wrote of a conversation', () => {
  it('guesses a conversation never seen, and only for a customer message (other events read what they need)', () => {
    const hints = new AcceptHints();
    expect(hints.guess(customer(1))).toEqual({ conversation: null, deliverySeen: false, message: null, waiting: [], echoCandidates: [], failedPart: null });
    expect(hints.guess({ kind: 'status', deliveryId: 'd', key, status: 'open', inboxId: 3 })).toBeNull();
  });

  it('after a message was written, the next guess holds the row as written and that message waiting', () => {
    const hints = new AcceptHints();
    acceptOn(hints, customer(1), 1000, row(1));
    acceptOn(hints, customer(2), 1500, row(2, { dueAt: 3500 }));
    const guess = hints.guess(customer(3))!;
    expect(guess.conversation).toEqual(row(2, { dueAt: 3500 }));
    expect(guess.waiting).toEqual([
      { messageId: 1, state: 'pending', receivedAt: 1000, awaitingTranscript: false },
      { messageId: 2, state: 'pending', receivedAt: 1500, awaitingTranscript: false },
    ]);
    // Decided on the guess, the rule sees both waiting messages: the debounce counts from the first.
    expect(decideAccept(guess, customer(3), { debounceMs: 2000, debounceMaxMs: 2500 }, 2000).result).toEqual({ outcome: 'stored', dueAt: 3500 });
  });

  it('words kept as context do not wait; a message held while the bot was silent does', () => {
    const hints = new AcceptHints();
    // What a takeover writes: the row (the bot silenced) and the agent's words as context.
    const agentWords: Write = { kind: 'message', key, messageId: 1, inboxId: 3, role: 'agent', text: 'hi', attachments: [], createdAt: null, receivedAt: 1000, awaitingTranscript: false, state: 'context' };
    hints.learn(key, hints.guess(customer(2))!, { result: null, writes: [{ kind: 'conversation', key, expectedVersion: null, patch: {} }, agentWords] }, row(1, { botState: 'human' }));
    expect(hints.guess(customer(2))!.waiting).toEqual([]);
    acceptOn(hints, customer(2), 1100, row(2, { botState: 'human' }));
    expect(hints.guess(customer(3))!.waiting).toEqual([{ messageId: 2, state: 'held', receivedAt: 1100, awaitingTranscript: false }]);
  });

  it('forgets a conversation after a decision that wrote more than the row and one message (it cannot know what waits then)', () => {
    const hints = new AcceptHints();
    acceptOn(hints, customer(1), 1000, row(1));
    const snapshot = hints.guess(customer(2))!;
    hints.learn(key, snapshot, { result: null, writes: [{ kind: 'conversation', key, expectedVersion: 1, patch: {} }, { kind: 'messageStates', accountId: 1, messageIds: [1], state: 'in_turn' }] }, row(2));
    expect(hints.guess(customer(2))!.conversation).toBeNull();
    // And after a decision that did not write the row.
    acceptOn(hints, customer(3), 1000, row(3));
    hints.learn(key, snapshot, { result: null, writes: [] }, null);
    expect(hints.guess(customer(4))!.conversation).toBeNull();
  });

  it('keeps at most its capacity, dropping the conversation written longest ago', () => {
    const hints = new AcceptHints(2);
    const keys = [1, 2, 3].map((conversationId) => ({ accountId: 1, conversationId }));
    keys.forEach((k, i) => acceptOn(hints, customer(10 + i, 'pending', k), 1000, row(1)));
    expect(hints.size).toBe(2);
    expect(keys.map((k) => hints.guess(customer(99, 'pending', k))!.conversation?.version ?? null)).toEqual([null, 1, 1]);
  });
});
