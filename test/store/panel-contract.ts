import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import { HANDOFF_NOTE_PREFIX, HANDOFF_PARTS } from '../../src/domain/outbox.js';
import type { Store, StoredEvent } from '../../src/store/store.js';

/**
 * What the bot panel reads and writes (PanelStore, recordHermesLatency), on both stores: called from
 * describeStoreContract so SQLite and Postgres run the same cases.
 */
export function describePanelContract(name: string, factory: { open(): Promise<Store> }): void {
  describe(`${name} store: the bot panel`, () => {
    let store: Store;
    const key: ConversationKey = { accountId: 1, conversationId: 77 };
    const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
    const customer = (messageId: number, text = `secret text ${messageId}`): StoredEvent => ({
      kind: 'customer_message',
      deliveryId: `p-${messageId}`,
      key,
      status: 'pending',
      message: { messageId, inboxId: 7, contactId: 5, contactName: 'Ana', text, attachments: [], createdAt: null },
    });

    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('shows an unknown conversation as empty', async () => {
      expect(await store.panelView(key, 5)).toEqual({ conversation: null, waiting: 0, session: null, turns: [], lastIssue: null });
    });

    it('counts waiting messages with their due time, and lists turns newest first with their Hermes latency', async () => {
      await store.accept(customer(1), policy, 1000);
      const first = (await store.takeTurn(key, 5000)).turn!;
      await store.recordHermesLatency(first.id, 1234.4);
      await store.finishTurn(first.id, 'delivered', 6000);
      await store.accept(customer(2), policy, 7000);
      await store.accept(customer(3), policy, 7500);
      const view = await store.panelView(key, 5);
      expect(view.conversation).toMatchObject({ botState: 'active', lastStatus: 'pending', dueAt: 9500 });
      expect(view.waiting).toBe(2);
      expect(view.turns).toEqual([{ id: first.id, state: 'delivered', createdAt: 5000, finishedAt: 6000, hermesMs: 1234 }]);
      // Nothing of what the customer wrote is in the view.
      expect(JSON.stringify(view)).not.toContain('secret text');
    });

    it("shows Hermes' latency once the turn's reply is planned, before the turn ends", async () => {
      await store.accept(customer(1), policy, 1000);
      const turn = (await store.takeTurn(key, 5000)).turn!;
      await store.recordHermesLatency(turn.id, 812.6);
      await store.planParts(turn.id, 'a reply', [{ part: 0, content: 'a reply', private: false }]);
      const view = await store.panelView(key, 5);
      expect(view.turns).toEqual([{ id: turn.id, state: 'running', createdAt: 5000, finishedAt: null, hermesMs: 813 }]);
    });

    it('keeps only the requested number of turns', async () => {
      for (let i = 1; i <= 4; i++) {
        await store.accept(customer(i), policy, i * 10_000);
        const t = (await store.takeTurn(key, i * 10_000 + 3000)).turn!;
        await store.finishTurn(t.id, 'delivered', i * 10_000 + 4000);
      }
      const view = await store.panelView(key, 3);
      expect(view.turns.map((t) => t.createdAt)).toEqual([43_000, 33_000, 23_000]);
    });

    it('reports the last hand-off with its note, and a later blocked reply with its note', async () => {
      await store.accept(customer(1), policy, 1000);
      const t1 = (await store.takeTurn(key, 4000)).turn!;
      await store.planParts(t1.id, null, [{ part: HANDOFF_PARTS.note, content: `${HANDOFF_NOTE_PREFIX}Hermes timeout`, private: true }]);
      await store.finishTurn(t1.id, 'handed_off', 5000, 'Hermes timeout: no answer');
      expect((await store.panelView(key, 5)).lastIssue).toEqual({ kind: 'handed_off', reason: 'Hermes timeout', at: 5000 });

      await store.accept(customer(2), policy, 6000);
      const t2 = (await store.takeTurn(key, 9000)).turn!;
      await store.planParts(t2.id, 'x', [{ part: HANDOFF_PARTS.blocked, content: '🤖 Blocked a reply from Hermes (gateway_status): gateway status line', private: true }]);
      await store.finishTurn(t2.id, 'skipped', 9500, 'reply blocked');
      expect((await store.panelView(key, 5)).lastIssue).toEqual({ kind: 'blocked', reason: 'Blocked a reply from Hermes (gateway_status): gateway status line', at: 9500 });
    });

    it('plans a hand-off now: the bot stops, a turn due now carries the note', async () => {
      await store.accept(customer(1), policy, 1000);
      const { turnId } = await store.handOffNow(key, 'asked by an agent', 2000);
      expect(await store.getConversation(key)).toMatchObject({ botState: 'handed_off', stateReason: 'asked by an agent' });
      expect(await store.listDue()).toEqual([{ key, dueAt: 0 }]);
      expect(await store.getOutbox(turnId)).toMatchObject([{ part: HANDOFF_PARTS.note, content: `${HANDOFF_NOTE_PREFIX}asked by an agent`, private: true, state: 'planned' }]);
      const taken = await store.takeTurn(key, 2100);
      expect(taken.turn).toMatchObject({ id: turnId, messages: [] });
    });

    it('plans a hand-off now for a conversation it never saw', async () => {
      const other = { accountId: 2, conversationId: 5 };
      const { turnId } = await store.handOffNow(other, 'asked by an agent', 2000);
      expect((await store.getConversation(other))?.botState).toBe('handed_off');
      expect((await store.takeTurn(other, 2000)).turn?.id).toBe(turnId);
    });

    it('keeps one panel key digest per account, replaced on rotation', async () => {
      expect(await store.getDashboardKeyHash(1)).toBeNull();
      await store.saveDashboardKeyHash(1, 'a'.repeat(64), 1000);
      await store.saveDashboardKeyHash(2, 'b'.repeat(64), 1000);
      await store.saveDashboardKeyHash(1, 'c'.repeat(64), 2000);
      expect(await store.getDashboardKeyHash(1)).toBe('c'.repeat(64));
      expect(await store.getDashboardKeyHash(2)).toBe('b'.repeat(64));
    });
  });
}
