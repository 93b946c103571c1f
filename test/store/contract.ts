import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import type { InboundMessage } from '../../src/domain/events.js';
import type { Store, StoredEvent } from '../../src/store/store.js';
import { turnIdFor } from '../../src/rules/turn-id.js';
import { describePrivacyContract } from './contract-privacy.js';
import { describePanelContract } from './panel-contract.js';

/**
 * The behaviour every store must have, run against SQLite and Postgres alike (issue: no behaviour
 * that exists on one store only). `open` returns a fresh, empty store; `reopen` the same data again.
 */
export function describeStoreContract(name: string, factory: { open(): Promise<Store>; reopen?(): Promise<Store> }): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    const key: ConversationKey = { accountId: 1, conversationId: 1042 };
    const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
    let delivery = 0;

    const message = (messageId: number, text = `m${messageId}`): InboundMessage => ({
      messageId,
      inboxId: 7,
      contactId: 3120,
      contactName: 'Maria Souza',
      text,
      attachments: [],
      createdAt: `2026-06-17T14:12:${String(messageId % 60).padStart(2, '0')}.000Z`,
    });
    const customer = (messageId: number, k: ConversationKey = key, deliveryId: string | null = `d-${++delivery}`): StoredEvent => ({
      kind: 'customer_message',
      deliveryId,
      key: k,
      status: 'pending',
      message: message(messageId),
    });
    const status = (s: string, k: ConversationKey = key): StoredEvent => ({ kind: 'status', deliveryId: `d-${++delivery}`, key: k, status: s, inboxId: 7 });

    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a customer message and schedules it after the debounce', async () => {
      expect(await store.accept(customer(1), policy, 1000)).toEqual({ outcome: 'stored', dueAt: 3000 });
      expect(await store.listDue()).toEqual([{ key, dueAt: 3000 }]);
      expect(await store.getConversation(key)).toMatchObject({ contactId: 3120, contactName: 'Maria Souza', botState: 'active', lastStatus: 'pending', lastCustomerAt: 1000 });
    });

    it('dedupes a customer message by its message id, whatever its delivery id', async () => {
      await store.accept(customer(1, key, 'first-delivery'), policy, 1000);
      expect(await store.accept(customer(1, key, 'first-delivery'), policy, 1100)).toEqual({ outcome: 'duplicate' });
      expect(await store.accept(customer(1, key, 'another-delivery'), policy, 1200)).toEqual({ outcome: 'duplicate' });
      expect(await store.accept(customer(1, key, null), policy, 1300)).toEqual({ outcome: 'duplicate' });
      const taken = await store.takeTurn(key, 99_999);
      expect(taken.turn?.messages.map((m) => m.messageId)).toEqual([1]);
    });

    it('leaves the conversation as it was when a retried message turns out to be a duplicate', async () => {
      await store.accept(customer(1), policy, 1000);
      await store.accept(status('open'), policy, 1100);
      // Chatwoot retries the first delivery late: it still says "pending", which is no longer true.
      expect(await store.accept(customer(1), policy, 1200)).toEqual({ outcome: 'duplicate' });
      expect(await store.getConversation(key)).toMatchObject({ lastStatus: 'open', lastCustomerAt: 1000 });
    });

    it('dedupes events without an id of their own (status changes) by delivery id', async () => {
      const reopened: StoredEvent = { kind: 'status', deliveryId: 'status-delivery', key, status: 'open', inboxId: 7 };
      expect(await store.accept(reopened, policy, 1000)).toMatchObject({ outcome: 'stored' });
      expect(await store.accept(reopened, policy, 1100)).toEqual({ outcome: 'duplicate' });
      expect(await store.accept({ ...reopened, deliveryId: 'another' }, policy, 1200)).toMatchObject({ outcome: 'stored' });
    });

    it('debounces: each message pushes the turn back, but never past the cap', async () => {
      expect(await store.accept(customer(1), policy, 0)).toMatchObject({ dueAt: 2000 });
      expect(await store.accept(customer(2), policy, 1500)).toMatchObject({ dueAt: 3500 });
      expect(await store.accept(customer(3), policy, 9000)).toMatchObject({ dueAt: 10_000 });
      expect(await store.takeTurn(key, 5000)).toEqual({ turn: null, nextDueAt: 10_000 });
      const taken = await store.takeTurn(key, 10_000);
      expect(taken.turn?.messages.map((m) => m.messageId)).toEqual([1, 2, 3]);
    });

    it('gathers messages in message-id order even when they arrived out of order', async () => {
      await store.accept(customer(12), policy, 0);
      await store.accept(customer(10), policy, 10);
      await store.accept(customer(11), policy, 20);
      const taken = await store.takeTurn(key, 60_000);
      expect(taken.turn?.messages.map((m) => m.messageId)).toEqual([10, 11, 12]);
      expect(taken.turn?.messages[0]).toMatchObject({ role: 'customer', text: 'm10', createdAt: '2026-06-17T14:12:10.000Z', receivedAt: 10 });
    });

    it("names a turn by its messages as turn-id.ts does: Hermes' idempotency key is the same on either store", async () => {
      // 15 < 907 < 1200 as numbers, not as text: the id sorts numerically.
      for (const id of [907, 1200, 15]) await store.accept(customer(id), policy, 0);
      const taken = await store.takeTurn(key, 60_000);
      expect(taken.turn?.id).toBe(turnIdFor(key, [15, 907, 1200]));
      expect(taken.turn?.id).toMatch(/^cw-1-1042-15-[0-9a-f]{10}$/);
      expect(taken.turn?.createdAt).toBe(60_000);
      expect(taken.turn?.inboxId).toBe(7);
    });

    it('keeps one turn open per conversation and hands it back until finished (crash recovery)', async () => {
      await store.accept(customer(1), policy, 0);
      const first = await store.takeTurn(key, 5000);
      expect(first.turn).not.toBeNull();
      await store.accept(customer(2), policy, 6000);
      const again = await store.takeTurn(key, 60_000);
      expect(again.turn?.id).toBe(first.turn?.id);
      expect(again.turn?.attempt).toBe(2);
      expect(again.turn?.messages.map((m) => m.messageId)).toEqual([1]);
      expect((await store.listDue()).map((d) => d.key)).toEqual([key]);

      await store.finishTurn(first.turn!.id, 'delivered', 61_000);
      const next = await store.takeTurn(key, 61_000);
      expect(next.turn?.messages.map((m) => m.messageId)).toEqual([2]);
      expect(next.turn?.id).not.toBe(first.turn?.id);
      await store.finishTurn(next.turn!.id, 'delivered', 62_000);
      expect(await store.takeTurn(key, 70_000)).toEqual({ turn: null, nextDueAt: null });
      expect(await store.listDue()).toEqual([]);
    });

    it('keeps conversations apart, also across accounts', async () => {
      const other: ConversationKey = { accountId: 2, conversationId: 1042 };
      await store.accept(customer(1, key), policy, 0);
      await store.accept(customer(1, other), policy, 0); // same message id in another account is another message
      const a = await store.takeTurn(key, 5000);
      const b = await store.takeTurn(other, 5000);
      expect(a.turn?.key).toEqual(key);
      expect(b.turn?.key).toEqual(other);
      expect(a.turn?.id).not.toBe(b.turn?.id);
    });

    it('silences the bot after a human takeover until the conversation left pending and came back', async () => {
      await store.accept({ kind: 'takeover', deliveryId: 'd-t', key, status: 'pending', inboxId: 7, by: 'agent', messageId: 500, content: 'Oi, aqui é a Ana.' }, policy, 0);
      expect((await store.getConversation(key))?.botState).toBe('human');
      expect(await store.accept(customer(1), policy, 10)).toMatchObject({ outcome: 'stored', dueAt: null });
      expect(await store.accept(status('pending'), policy, 20)).toMatchObject({ dueAt: null });
      expect((await store.getConversation(key))?.botState).toBe('human');
      await store.accept(status('open'), policy, 30);
      // The customer's message that reopened the conversation can overtake the status event.
      await store.accept(customer(2), policy, 40);
      const resumed = await store.accept(status('pending'), policy, 50);
      expect(resumed).toMatchObject({ outcome: 'stored', note: 'bot resumed' });
      expect((await store.getConversation(key))?.botState).toBe('active');
      const taken = await store.takeTurn(key, 60_000);
      expect(taken.turn?.messages.map((m) => m.messageId)).toEqual([2]);
    });

    it('ignores a customer message in a conversation humans own, unless the bot keeps it as hand-back context', async () => {
      const open: StoredEvent = { ...customer(1), status: 'open' } as StoredEvent;
      expect(await store.accept(open, policy, 0)).toEqual({ outcome: 'ignored', reason: 'conversation is open: humans own it' });
      expect(await store.listDue()).toEqual([]);
      await store.accept({ kind: 'takeover', deliveryId: 'd-t3', key, status: 'open', inboxId: 7, by: 'agent', messageId: 800, content: 'Olá, sou a Ana.' }, policy, 10);
      expect(await store.accept({ ...customer(2), status: 'open' } as StoredEvent, policy, 20)).toMatchObject({ outcome: 'stored', dueAt: null });
      await store.accept(status('pending'), policy, 30);
      await store.accept(customer(3), policy, 40);
      const taken = await store.takeTurn(key, 60_000);
      // Message 2 was written while humans had the conversation open: context, not a question to answer.
      expect(taken.turn?.messages.map((m) => m.messageId)).toEqual([3]);
      expect(taken.turn?.context.map((m) => m.messageId)).toEqual([2, 800]);
    });

    it('a hand-off silences the bot the same way', async () => {
      await store.setBotState(key, 'handed_off', 'Hermes down', 0);
      expect(await store.accept(customer(1), policy, 10)).toMatchObject({ dueAt: null });
      await store.accept(status('open'), policy, 20);
      await store.accept(status('pending'), policy, 30);
      expect((await store.getConversation(key))?.botState).toBe('active');
    });

    it('maps sessions and starts a new generation on reset', async () => {
      expect(await store.getSession(key)).toBeNull();
      const s = await store.saveSession(key, { sessionId: 'chatwoot-1-1042', mode: 'header', generation: 0 }, 100);
      expect(s).toMatchObject({ sessionId: 'chatwoot-1-1042', generation: 0, turnCount: 0, createdAt: 100 });
      await store.accept(customer(1), policy, 0);
      const t = await store.takeTurn(key, 5000);
      await store.finishTurn(t.turn!.id, 'delivered', 6000);
      expect(await store.getSession(key)).toMatchObject({ turnCount: 1, lastUsedAt: 6000 });
      await store.saveSession(key, { sessionId: '20260617_141211_abcdef', mode: 'server', generation: 0 }, 7000);
      expect(await store.getSession(key)).toMatchObject({ sessionId: '20260617_141211_abcdef', turnCount: 1, createdAt: 100 });
      await store.saveSession(key, { sessionId: 'chatwoot-1-1042-g1', mode: 'header', generation: 1 }, 8000);
      expect(await store.getSession(key)).toMatchObject({ generation: 1, turnCount: 0, createdAt: 8000 });
      expect((await store.listSessions({ conversationId: 1042 })).length).toBe(1);
      expect(await store.listSessions({ accountId: 9 })).toEqual([]);
    });

    it('records outbox parts and takes Chatwoot\'s echo as proof of an interrupted post', async () => {
      await store.accept(customer(1), policy, 0);
      const { turn } = (await store.takeTurn(key, 5000)) as { turn: NonNullable<Awaited<ReturnType<Store['takeTurn']>>['turn']> };
      const parts = await store.planParts(turn.id, 'a\n\nb', [
        { part: 0, content: 'a', private: false },
        { part: 1, content: 'b', private: false },
      ]);
      expect(parts.map((p) => p.state)).toEqual(['planned', 'planned']);
      expect(await store.setPartState({ turnId: turn.id, part: 0 }, { state: 'posting', now: 6000 })).toBe(true);
      // A second worker (split brain, a re-run) cannot take the same part: it would post it twice.
      expect(await store.setPartState({ turnId: turn.id, part: 0 }, { state: 'posting', now: 6050 })).toBe(false);
      expect(await store.setPartState({ turnId: turn.id, part: 0 }, { state: 'posted', now: 6100, chatwootMessageId: 777 })).toBe(true);
      await store.setPartState({ turnId: turn.id, part: 1 }, { state: 'posting', now: 6200 });
      // The process dies here; Chatwoot's echo of part 1 arrives.
      await store.accept({ kind: 'bot_echo', deliveryId: 'd-echo', key, status: 'pending', messageId: 778, content: 'b', private: false }, policy, 6300);
      const after = await store.getOutbox(turn.id);
      expect(after.map((p) => [p.state, p.chatwootMessageId])).toEqual([
        ['posted', 777],
        ['posted', 778],
      ]);
      // A posted part never goes back.
      expect(await store.setPartState({ turnId: turn.id, part: 0 }, { state: 'failed', now: 7000 })).toBe(false);
      expect((await store.getOutbox(turn.id))[0]?.state).toBe('posted');
      // Planning again keeps what was planned.
      await store.planParts(turn.id, null, [{ part: 0, content: 'changed', private: false }]);
      expect((await store.getOutbox(turn.id))[0]?.content).toBe('a');
    });

    it('holds a voice note for its transcript (bounded) and takes it when it arrives', async () => {
      const voice = { ...policy, voiceWaitMs: 15_000 };
      const audio: StoredEvent = {
        kind: 'customer_message',
        deliveryId: 'd-audio',
        key,
        status: 'pending',
        message: { ...message(58234, ''), attachments: [{ file_type: 'audio', data_url: 'https://x/a.ogg', transcribed_text: '' }] },
      };
      expect(await store.accept(audio, voice, 0)).toMatchObject({ dueAt: 15_000 });
      const t = await store.accept({ kind: 'transcript', deliveryId: 'd-tr', key, status: 'pending', messageId: 58234, transcript: 'quero saber o horário' }, voice, 4000);
      expect(t).toMatchObject({ outcome: 'stored', dueAt: 6000 });
      const taken = await store.takeTurn(key, 6000);
      expect(taken.turn?.messages[0]?.attachments[0]?.transcribed_text).toBe('quero saber o horário');
    });

    it('carries what a human and the customer said while the bot was silent into the next turn, once', async () => {
      await store.accept({ kind: 'takeover', deliveryId: 'd-t1', key, status: 'pending', inboxId: 7, by: 'agent', messageId: 600, content: 'Seu Pix caiu.' }, policy, 0);
      await store.accept(customer(601), policy, 10);
      await store.accept(status('open'), policy, 20);
      await store.accept(status('pending'), policy, 30);
      await store.accept(customer(602), policy, 40);
      const first = await store.takeTurn(key, 60_000);
      expect(first.turn?.messages.map((m) => m.messageId)).toEqual([602]);
      expect(first.turn?.context.map((m) => [m.role, m.messageId])).toEqual([
        ['agent', 600],
        ['customer', 601],
      ]);
      await store.finishTurn(first.turn!.id, 'delivered', 61_000);
      await store.accept(customer(603), policy, 62_000);
      const second = await store.takeTurn(key, 99_000);
      expect(second.turn?.context).toEqual([]);
    });

    it('a paused conversation stays paused through status changes and takeovers', async () => {
      await store.setBotState(key, 'paused', '/bot pause', 0);
      await store.accept(status('open'), policy, 10);
      await store.accept(status('pending'), policy, 20);
      await store.accept({ kind: 'takeover', deliveryId: 'd-t2', key, status: 'pending', inboxId: 7, by: 'phone', messageId: 700, content: 'oi' }, policy, 30);
      expect((await store.getConversation(key))?.botState).toBe('paused');
    });

    it('counts empty replies in a row and forgets them after a delivered turn', async () => {
      await store.accept(customer(1), policy, 0);
      expect(await store.bumpEmptyStreak(key)).toBe(1);
      expect(await store.bumpEmptyStreak(key)).toBe(2);
      const t = await store.takeTurn(key, 5000);
      await store.finishTurn(t.turn!.id, 'delivered', 6000);
      expect((await store.getConversation(key))?.emptyStreak).toBe(0);
      expect(await store.lastTurn(key)).toMatchObject({ id: t.turn!.id, state: 'delivered', finishedAt: 6000 });
    });

    it("remembers what the bot said, oldest first, without notes or hand-off messages", async () => {
      await store.accept(customer(1), policy, 0);
      const t = (await store.takeTurn(key, 5000)).turn!;
      await store.planParts(t.id, 'x', [
        { part: 0, content: 'primeira', private: false },
        { part: 1, content: 'segunda', private: false },
        { part: 901, content: 'note', private: true },
      ]);
      for (const part of [0, 1, 901]) await store.setPartState({ turnId: t.id, part: part }, { state: 'posted', now: 6000 + part });
      expect(await store.recentBotReplies(key, 5)).toEqual(['primeira', 'segunda']);
      expect(await store.recentBotReplies(key, 1)).toEqual(['segunda']);
    });

    it('keeps per-inbox settings', async () => {
      expect(await store.getInboxSettings(7)).toBeNull();
      await store.saveInboxSettings(7, { enabled: false, instructions: 'Seja breve.' }, 0);
      await store.saveInboxSettings(8, { debounceMs: 0 }, 0);
      expect(await store.getInboxSettings(7)).toEqual({ enabled: false, instructions: 'Seja breve.' });
      expect((await store.listInboxSettings()).map((s) => s.inboxId)).toEqual([7, 8]);
    });

    it('prunes old delivery ids only', async () => {
      const statusEvent = (deliveryId: string): StoredEvent => ({ kind: 'status', deliveryId, key, status: 'open', inboxId: 7 });
      await store.accept(statusEvent('old'), policy, 1000);
      await store.accept(statusEvent('new'), policy, 5000);
      expect(await store.prune(2000)).toBe(1);
      expect(await store.accept(statusEvent('new'), policy, 6000)).toEqual({ outcome: 'duplicate' });
      expect(await store.accept(statusEvent('old'), policy, 6000)).toMatchObject({ outcome: 'stored' });
    });

    if (factory.reopen) {
      it('keeps everything across a restart', async () => {
        await store.accept(customer(1, key, 'restart-delivery'), policy, 0);
        await store.saveSession(key, { sessionId: 'chatwoot-1-1042', mode: 'header', generation: 0 }, 0);
        await store.close();
        store = await factory.reopen!();
        expect(await store.accept(customer(1, key, 'restart-delivery'), policy, 10)).toEqual({ outcome: 'duplicate' });
        expect(await store.getSession(key)).toMatchObject({ sessionId: 'chatwoot-1-1042' });
        expect(await store.listDue()).toEqual([{ key, dueAt: 2000 }]);
      });
    }
  });
  describePrivacyContract(name, factory);
  describePanelContract(name, factory);
}
