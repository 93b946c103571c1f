import { describe, expect, it } from 'vitest';
import { decideAccept } from '../../../src/rules/accept.js';
import type { StoredEvent } from '../../../src/store/store.js';
import { conversation, customer, key, policy, snapshot, status, waiting } from './fixtures.js';

describe('decideAccept: dedupe', () => {
  it('a customer message already held is a duplicate, whatever its delivery id, and writes nothing', () => {
    const d = decideAccept(snapshot({ message: { state: 'answered', attachments: [] }, deliverySeen: true }), customer(1, { deliveryId: 'new' }), policy, 100);
    expect(d).toEqual({ result: { outcome: 'duplicate' }, writes: [] });
  });

  it('a customer message records no delivery id; other events are deduped by theirs', () => {
    expect(decideAccept(snapshot(), customer(1), policy, 100).writes.map((w) => w.kind)).toEqual(['conversation', 'message']);
    expect(decideAccept(snapshot(), status('open', 'd-9'), policy, 100).writes[0]).toEqual({ kind: 'delivery', deliveryId: 'd-9', receivedAt: 100 });
    expect(decideAccept(snapshot({ deliverySeen: true }), status('open', 'd-9'), policy, 100)).toEqual({ result: { outcome: 'duplicate' }, writes: [] });
  });
});

describe('decideAccept: a customer message', () => {
  it('in a new conversation creates its row (no version yet) with the contact and the due time', () => {
    const d = decideAccept(snapshot({ conversation: null }), customer(1), policy, 1000);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 3000 });
    expect(d.writes[0]).toEqual({
      kind: 'conversation',
      key,
      expectedVersion: null,
      patch: { lastStatus: 'pending', updatedAt: 1000, inboxId: 7, lastCustomerAt: 1000, contactId: 3120, contactName: 'Maria', dueAt: 3000 },
    });
    expect(d.writes[1]).toMatchObject({ kind: 'message', messageId: 1, role: 'customer', state: 'pending', receivedAt: 1000, awaitingTranscript: false });
  });

  it('debounces with the messages already waiting, and writes only if the conversation is still at the version read', () => {
    const d = decideAccept(snapshot({ waiting: [waiting(1, 0), waiting(2, 500, { state: 'held' })] }), customer(3), policy, 9000);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 10_000 });
    expect(d.writes[0]).toMatchObject({ kind: 'conversation', expectedVersion: 5 });
  });

  it.each([
    ['active', 'pending', 'pending', { outcome: 'stored', dueAt: 1200 }],
    ['active', 'open', null, { outcome: 'ignored', reason: 'conversation is open: humans own it' }],
    ['human', 'pending', 'held', { outcome: 'stored', dueAt: null, note: 'bot silenced (human): kept as context' }],
    ['human', 'open', 'context', { outcome: 'stored', dueAt: null, note: 'bot silenced (human): kept as context' }],
    ['paused', 'pending', 'held', { outcome: 'stored', dueAt: null, note: 'bot silenced (paused): kept as context' }],
    ['handed_off', 'resolved', 'context', { outcome: 'stored', dueAt: null, note: 'bot silenced (handed_off): kept as context' }],
  ] as const)('bot %s, conversation %s → message %s', (botState, s, state, result) => {
    const d = decideAccept(snapshot({ conversation: conversation({ botState }) }), customer(1, { status: s }), { debounceMs: 200, debounceMaxMs: 1000 }, 1000);
    expect(d.result).toEqual(result);
    const message = d.writes.find((w) => w.kind === 'message');
    expect(message ? message.state : null).toBe(state);
    // The conversation's last status is recorded in every case.
    expect(d.writes.find((w) => w.kind === 'conversation')).toMatchObject({ patch: { lastStatus: s } });
  });

  it('keeps a known contact when the message carries none', () => {
    const event = customer(1) as Extract<StoredEvent, { kind: 'customer_message' }>;
    const d = decideAccept(snapshot(), { ...event, message: { ...event.message, contactId: null, contactName: null } }, policy, 0);
    expect(d.writes[0]).not.toHaveProperty('patch.contactId');
    expect(d.writes[0]).not.toHaveProperty('patch.contactName');
  });

  it('holds a voice note for its transcript', () => {
    const d = decideAccept(snapshot(), customer(1, { attachments: [{ file_type: 'audio', transcribed_text: '' }] }), { ...policy, voiceWaitMs: 15_000 }, 0);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 15_000 });
    expect(d.writes[1]).toMatchObject({ kind: 'message', awaitingTranscript: true });
  });
});

describe('decideAccept: a human takes over', () => {
  const takeover = (s: string, by: 'agent' | 'phone' = 'agent'): StoredEvent => ({ kind: 'takeover', deliveryId: 't', key, status: s, inboxId: 7, by, messageId: 500, content: 'Oi' });

  it.each([
    ['pending', 'agent', { botState: 'human', stateReason: 'an agent replied', stateChangedAt: 10, leftPendingAt: null }],
    ['open', 'phone', { botState: 'human', stateReason: 'a reply was sent from the WhatsApp phone', stateChangedAt: 10, leftPendingAt: 10 }],
  ] as const)('in a %s conversation (%s) silences the bot', (s, by, patch) => {
    const d = decideAccept(snapshot(), takeover(s, by), policy, 10);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, note: 'bot silenced: human took over' });
    expect(d.writes.find((w) => w.kind === 'conversation')).toMatchObject({ patch });
    expect(d.writes.find((w) => w.kind === 'message')).toMatchObject({ role: 'agent', state: 'context', text: 'Oi' });
  });

  it('by assignment silences the bot and keeps no message (nothing was written)', () => {
    const event: StoredEvent = { kind: 'takeover', deliveryId: 'a', key, status: 'pending', inboxId: 7, by: 'assignment', assigneeId: 12 };
    const d = decideAccept(snapshot(), event, policy, 10);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, note: 'bot silenced: human took over' });
    expect(d.writes.map((w) => w.kind)).toEqual(['delivery', 'conversation']);
    expect(d.writes[1]).toMatchObject({ patch: { botState: 'human', stateReason: 'the conversation was assigned to an agent', leftPendingAt: null } });
  });

  it('leaves an explicit pause as it is, and a reply already kept is not kept twice', () => {
    const d = decideAccept(snapshot({ conversation: conversation({ botState: 'paused' }), message: { state: 'context', attachments: [] } }), takeover('pending'), policy, 10);
    expect(d.writes.map((w) => w.kind)).toEqual(['delivery', 'conversation']);
    expect(d.writes[1]).not.toHaveProperty('patch.botState');
  });
});

describe('decideAccept: a transcript', () => {
  const transcript: StoredEvent = { kind: 'transcript', deliveryId: 'tr', key, status: 'pending', messageId: 9, transcript: 'quero o horário' };
  const audio = [{ file_type: 'audio', transcribed_text: '' }];

  it('for an unknown message only refreshes the conversation', () => {
    const d = decideAccept(snapshot(), transcript, policy, 10);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, note: 'transcript for a message the bot does not hold' });
    expect(d.writes.map((w) => w.kind)).toEqual(['delivery', 'conversation']);
  });

  it('for a waiting message stops holding the turn for it', () => {
    const s = snapshot({ message: { state: 'pending', attachments: audio }, waiting: [waiting(8, 0), waiting(9, 1000, { awaitingTranscript: true })] });
    const d = decideAccept(s, transcript, { ...policy, voiceWaitMs: 15_000 }, 4000);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 6000, note: 'transcript added' });
    expect(d.writes).toContainEqual({ kind: 'transcript', accountId: 1, messageId: 9, attachments: [{ file_type: 'audio', transcribed_text: 'quero o horário' }] });
    expect(d.writes.find((w) => w.kind === 'conversation')).toMatchObject({ patch: { dueAt: 6000 } });
  });

  it('for a message already in a turn keeps the transcript without scheduling', () => {
    const d = decideAccept(snapshot({ message: { state: 'in_turn', attachments: audio } }), transcript, policy, 10);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, note: 'transcript arrived after the message was in_turn' });
    expect(d.writes.find((w) => w.kind === 'conversation')).not.toHaveProperty('patch.dueAt');
  });
});

describe('decideAccept: the hand-back (status changes)', () => {
  it.each([
    ['active', null, 'open', {}, undefined],
    ['paused', null, 'pending', {}, undefined],
    ['human', null, 'open', { leftPendingAt: 50 }, undefined],
    ['human', 20, 'resolved', {}, undefined],
    ['human', null, 'pending', {}, 'still silenced: conversation has not left pending since the takeover'],
    ['handed_off', 20, 'pending', { botState: 'active', stateReason: 'conversation returned to pending', stateChangedAt: 50, leftPendingAt: null, dueAt: null }, 'bot resumed'],
  ] as const)('bot %s, left pending at %s, now %s', (botState, leftPendingAt, s, patch, note) => {
    const d = decideAccept(snapshot({ conversation: conversation({ botState, leftPendingAt }) }), status(s), policy, 50);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, ...(note ? { note } : {}) });
    expect(d.writes.find((w) => w.kind === 'conversation')).toEqual({ kind: 'conversation', key, expectedVersion: 5, patch: { lastStatus: s, updatedAt: 50, inboxId: 7, ...patch } });
  });

  it('on resuming, releases the messages held since the conversation left pending, and schedules them', () => {
    const s = snapshot({
      conversation: conversation({ botState: 'human', leftPendingAt: 30 }),
      waiting: [waiting(1, 10, { state: 'held' }), waiting(2, 40, { state: 'held' }), waiting(3, 45, { state: 'held' })],
    });
    const d = decideAccept(s, status('pending'), policy, 50);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 2050, note: 'bot resumed' });
    expect(d.writes).toContainEqual({ kind: 'messageStates', accountId: 1, messageIds: [2, 3], state: 'pending' });
  });
});

describe('decideAccept: a reply WhatsApp did not deliver', () => {
  const failed = (deliveryId: string): StoredEvent => ({ kind: 'delivery_failed', deliveryId, key, status: 'pending', messageId: 778, error: '131047: Re-engagement message' });
  const part = { turnId: 't1', part: 0, content: 'Abrimos às 9h.' };

  it('plans a hand-off turn whose only part is the team\'s note, due now, and silences the bot', () => {
    const d = decideAccept(snapshot({ failedPart: part }), failed('d1'), policy, 50);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: 50, note: 'a reply was not delivered: handing off' });
    expect(d.writes.map((w) => w.kind)).toEqual(['delivery', 'conversation', 'turn', 'outboxPlanned']);
    expect(d.writes[0]).toEqual({ kind: 'delivery', deliveryId: 'undelivered:1:778', receivedAt: 50 });
    expect(d.writes[1]).toMatchObject({ patch: { botState: 'handed_off', dueAt: 50, leftPendingAt: null } });
    expect(d.writes[2]).toMatchObject({ kind: 'turn', id: 'cw-1-1042-undelivered-778', messageIds: [] });
    expect(d.writes[3]).toEqual({
      kind: 'outboxPlanned',
      turnId: 'cw-1-1042-undelivered-778',
      key,
      part: 901,
      private: true,
      content: '🤖 Bot handed this conversation to the team: WhatsApp did not deliver the bot\'s message (131047: Re-engagement message); the customer never received it: "Abrimos às 9h."',
    });
  });

  it('is known by the failed message, not by the delivery: a second report of it is a duplicate', () => {
    const d = decideAccept(snapshot({ failedPart: part, deliverySeen: true }), failed('another-delivery'), policy, 60);
    expect(d).toEqual({ result: { outcome: 'duplicate' }, writes: [] });
  });
});

describe("decideAccept: Chatwoot's echo of a bot message", () => {
  const echo: StoredEvent = { kind: 'bot_echo', deliveryId: 'e', key, status: 'pending', messageId: 778, content: 'b', private: false };
  const part = (p: number, over: Record<string, unknown>) => ({ turnId: 't1', part: p, state: 'posting' as const, content: 'b', private: false, chatwootMessageId: null, postedAt: null, attemptedAt: 100, ...over });

  it('confirms the part that carries its id, keeping the time it was first posted', () => {
    const d = decideAccept(snapshot({ echoCandidates: [part(0, { state: 'failed', chatwootMessageId: 778, postedAt: 90 }), part(1, {})] }), echo, policy, 200);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null });
    expect(d.writes.filter((w) => w.kind === 'outboxPosted')).toEqual([{ kind: 'outboxPosted', turnId: 't1', part: 0, chatwootMessageId: 778, postedAt: 90 }]);
  });

  it('else confirms the oldest part left in posting with the same text', () => {
    const d = decideAccept(snapshot({ echoCandidates: [part(1, { state: 'planned' }), part(2, { attemptedAt: 100 }), part(3, { attemptedAt: 150 })] }), echo, policy, 200);
    expect(d.result).toEqual({ outcome: 'stored', dueAt: null, note: 'echo confirmed an ambiguous post' });
    expect(d.writes.filter((w) => w.kind === 'outboxPosted')).toEqual([{ kind: 'outboxPosted', turnId: 't1', part: 2, chatwootMessageId: 778, postedAt: 200 }]);
  });

  it('without a witness changes no part', () => {
    const d = decideAccept(snapshot({ echoCandidates: [part(1, { content: 'other' })] }), echo, policy, 200);
    expect(d.writes.filter((w) => w.kind === 'outboxPosted')).toEqual([]);
  });

  it("a private note's echo confirms the note left in posting (a hand-off's), never a reply with the same words", () => {
    const note: StoredEvent = { ...echo, private: true } as StoredEvent;
    const d = decideAccept(snapshot({ echoCandidates: [part(0, { attemptedAt: 100 }), part(901, { private: true, attemptedAt: 150 })] }), note, policy, 200);
    expect(d.writes.filter((w) => w.kind === 'outboxPosted')).toEqual([{ kind: 'outboxPosted', turnId: 't1', part: 901, chatwootMessageId: 778, postedAt: 200 }]);
    const reply = decideAccept(snapshot({ echoCandidates: [part(901, { private: true })] }), echo, policy, 200);
    expect(reply.writes.filter((w) => w.kind === 'outboxPosted')).toEqual([]);
  });
});
