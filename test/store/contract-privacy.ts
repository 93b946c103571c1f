import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import type { Store, StoredEvent } from '../../src/store/store.js';

/**
 * Retention and erasure on request (issue #16), on every store: texts are blanked, the ids that
 * deduplication and the outbox's exactly-once rule need stay, and a forgotten conversation keeps
 * nothing new and posts nothing more. Part of the store contract (contract.ts runs it).
 */
export function describePrivacyContract(name: string, factory: { open(): Promise<Store> }): void {
  describe(`${name} store contract: retention and forget`, () => {
    let store: Store;
    const key: ConversationKey = { accountId: 1, conversationId: 1042 };
    const other: ConversationKey = { accountId: 1, conversationId: 2077 };
    const policy = { debounceMs: 0, debounceMaxMs: 0 };
    const customer = (messageId: number, k: ConversationKey = key, contactId = 3120): StoredEvent => ({
      kind: 'customer_message',
      deliveryId: null,
      key: k,
      status: 'pending',
      message: { messageId, inboxId: 7, contactId, contactName: 'Maria Souza', text: `Meu CPF é 123.456.789-0${messageId}`, attachments: [], createdAt: null },
    });
    /** A customer message answered: its turn taken, the reply planned and posted, the turn finished. */
    async function answered(messageId: number, at: number, k: ConversationKey = key): Promise<string> {
      await store.accept(customer(messageId, k), policy, at);
      const { turn } = await store.takeTurn(k, at);
      await store.planParts(turn!.id, 'Olá Maria, anotei o CPF', [{ part: 0, content: 'Olá Maria, anotei o CPF', private: false }]);
      await store.setPartState({ turnId: turn!.id, part: 0 }, { state: 'posting', now: at });
      await store.setPartState({ turnId: turn!.id, part: 0 }, { state: 'posted', now: at, chatwootMessageId: 9000 + messageId });
      await store.finishTurn(turn!.id, 'delivered', at);
      return turn!.id;
    }

    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('retention blanks the texts stored before the cutoff, keeps the newer ones and the ids', async () => {
      const old = await answered(1, 1000);
      await store.accept(customer(2), policy, 50_000);
      expect(await store.eraseTextsBefore(10_000)).toEqual({ messages: 1, turns: 1, outbox: 1, conversations: 0 });
      expect((await store.getOutbox(old)).map((p) => [p.content, p.state, p.chatwootMessageId])).toEqual([['', 'posted', 9001]]);
      expect(await store.recentBotReplies(key, 5)).toEqual(['']);
      // The newer message keeps its text (its turn has not run yet)…
      const { turn } = await store.takeTurn(key, 50_000);
      expect(turn?.messages.map((m) => m.text)).toEqual(['Meu CPF é 123.456.789-02']);
      // …and the old one is still known by its id: a redelivery is not answered twice.
      expect(await store.accept(customer(1), policy, 60_000)).toEqual({ outcome: 'duplicate' });
      expect(await store.eraseTextsBefore(10_000)).toEqual({ messages: 0, turns: 0, outbox: 0, conversations: 0 });
    });

    it('retention erases the contact name of a conversation idle since the cutoff, not of a recent one', async () => {
      await answered(1, 1000);
      await answered(5, 80_000, other);
      expect((await store.eraseTextsBefore(50_000)).conversations).toBe(1);
      expect(await store.getConversation(key)).toMatchObject({ contactId: 3120, contactName: null });
      expect(await store.getConversation(other)).toMatchObject({ contactName: 'Maria Souza' });
    });

    it('forget blanks a conversation, refuses its outbox and new texts, reports a running turn, and is safe twice', async () => {
      await answered(1, 1000);
      await store.accept(customer(2), policy, 2000);
      const { turn } = await store.takeTurn(key, 2000);
      await store.planParts(turn!.id, null, [{ part: 0, content: 'resposta em voo', private: false }]);

      const first = await store.forgetConversation(key, { now: 3000, stopTurns: false });
      expect(first).toMatchObject({ key, forgottenBefore: null, erased: { conversations: 1, messages: 2, turns: 1, outbox: 2 }, runningTurns: 1, stoppedTurns: 0 });
      // The turn in flight finds the mark: nothing more is planned, nothing is posted.
      expect(await store.setPartState({ turnId: turn!.id, part: 0 }, { state: 'posting', now: 3100 })).toBe(false);
      expect(await store.planParts(turn!.id, 'Hermes respondeu', [{ part: 1, content: 'Hermes respondeu', private: false }])).toEqual([
        { turnId: turn!.id, part: 0, content: '', private: false, state: 'planned', chatwootMessageId: null },
      ]);
      await store.setBotState(key, 'handed_off', 'the customer asked for a human: "Meu CPF é …"', 3200);
      expect(await store.getConversation(key)).toMatchObject({ botState: 'paused', contactName: null, stateReason: 'erased on request (forget)' });
      // New and redelivered events keep nothing and wake nothing.
      expect(await store.accept(customer(3), policy, 3300)).toMatchObject({ outcome: 'ignored' });
      expect(await store.accept(customer(1), policy, 3300)).toMatchObject({ outcome: 'ignored' });

      const second = await store.forgetConversation(key, { now: 4000, stopTurns: true });
      expect(second).toMatchObject({ forgottenBefore: 3000, erased: { conversations: 0, messages: 0, turns: 0, outbox: 0 }, runningTurns: 0, stoppedTurns: 1 });
      expect(await store.listDue()).toEqual([]);
      expect(await store.takeTurn(key, 5000)).toEqual({ turn: null, nextDueAt: null });
    });

    it("finds a contact's conversations, and knows nothing of one it never saw", async () => {
      await answered(1, 1000);
      await answered(5, 2000, other);
      await store.accept(customer(9, { accountId: 1, conversationId: 3000 }, 4444), policy, 3000);
      expect(await store.conversationsOfContact(3120)).toEqual([key, other]);
      expect(await store.conversationsOfContact(9999)).toEqual([]);
      expect(await store.forgetConversation({ accountId: 1, conversationId: 5555 }, { now: 1, stopTurns: true })).toBeNull();
    });
  });
}
