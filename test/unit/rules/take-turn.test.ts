import { describe, expect, it } from 'vitest';
import { decideTakeTurn } from '../../../src/rules/take-turn.js';
import { turnIdFor } from '../../../src/rules/turn-id.js';
import { conversation, key, turnMessage, turnSnapshot } from './fixtures.js';

describe('decideTakeTurn', () => {
  it('hands back the unfinished turn first, one attempt more, whatever waits', () => {
    const openTurn = { id: 'cw-x', inboxId: 7, attempts: 2, reply: 'r', createdAt: 100, messages: [turnMessage(5, 'in_turn'), turnMessage(3, 'shared', 'agent'), turnMessage(4, 'in_turn')] };
    const d = decideTakeTurn(turnSnapshot({ openTurn, candidates: [turnMessage(9, 'pending')] }), 0);
    expect(d.result).toMatchObject({ turn: { id: 'cw-x', attempt: 3, reply: 'r', createdAt: 100 } });
    const turn = 'turn' in d.result && d.result.turn;
    expect(turn && turn.messages.map((m) => m.messageId)).toEqual([4, 5]);
    expect(turn && turn.context.map((m) => m.messageId)).toEqual([3]);
    expect(d.writes).toEqual([
      { kind: 'conversation', key, expectedVersion: 5, patch: {} },
      { kind: 'turnAttempt', turnId: 'cw-x', attempts: 3 },
    ]);
  });

  it.each([
    ['no conversation', turnSnapshot({ conversation: null }), { turn: null, nextDueAt: null }, []],
    ['nothing pending: the due time is cleared', turnSnapshot({ candidates: [turnMessage(1, 'context')] }), { turn: null, nextDueAt: null }, [{ kind: 'conversation', key, expectedVersion: 5, patch: { dueAt: null } }]],
    ['not due yet: nothing written', turnSnapshot({ candidates: [turnMessage(1, 'pending')] }), { turn: null, nextDueAt: 5000 }, []],
  ])('%s', (_name, snapshot, result, writes) => {
    expect(decideTakeTurn(snapshot, 4000)).toEqual({ result, writes });
  });

  it('once due, takes every pending message in id order, with the silent phase as context, under the turn id', () => {
    const candidates = [turnMessage(1200, 'pending'), turnMessage(15, 'pending'), turnMessage(907, 'pending'), turnMessage(600, 'context', 'agent'), turnMessage(601, 'held')];
    const d = decideTakeTurn(turnSnapshot({ candidates }), 5000);
    const id = turnIdFor(key, [15, 907, 1200]);
    expect(d.result).toMatchObject({ turn: { id, key, inboxId: 7, attempt: 1, reply: null, createdAt: 5000 } });
    const turn = 'turn' in d.result && d.result.turn;
    expect(turn && turn.messages.map((m) => m.messageId)).toEqual([15, 907, 1200]);
    expect(turn && turn.context.map((m) => [m.role, m.messageId])).toEqual([
      ['agent', 600],
      ['customer', 601],
    ]);
    expect(d.writes).toEqual([
      { kind: 'conversation', key, expectedVersion: 5, patch: { dueAt: null } },
      { kind: 'turn', id, key, inboxId: 7, messageIds: [15, 907, 1200], createdAt: 5000 },
      { kind: 'messageStates', accountId: 1, messageIds: [15, 907, 1200], state: 'in_turn', turnId: id },
      { kind: 'messageStates', accountId: 1, messageIds: [600, 601], state: 'shared', turnId: id },
    ]);
  });

  it('takes a conversation without a due time at once', () => {
    const d = decideTakeTurn(turnSnapshot({ conversation: conversation({ dueAt: null }), candidates: [turnMessage(1, 'pending')] }), 10);
    expect(d.result.turn).not.toBeNull();
  });
});
