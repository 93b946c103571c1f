import { describe, expect, it } from 'vitest';
import { checkInvariants, type ChaosHistory, type SentMessage } from '../../../chaos/lib/invariants.js';
import { HANDOFF_NOTE_PREFIX } from '../../../src/domain/outbox.js';

const sent = (conversationId: number, seq: number, o: Partial<SentMessage> = {}): SentMessage => ({ conversationId, seq, sentAt: seq * 1000, botsTurn: true, ackedAt: seq * 1000 + 10, ...o });
const reply = (conversationId: number, text: string, at = 0) => ({ conversationId, content: text, private: false, at });
const history = (h: Partial<ChaosHistory>): ChaosHistory => ({ sent: [], posts: [], statusChanges: [], hermesReplies: [], logs: '', secrets: [], ...h });

describe('chaos invariants', () => {
  it('a clean history counts zero everywhere', () => {
    const r = checkInvariants(
      history({
        sent: [sent(1, 1), sent(1, 2), sent(2, 1)],
        posts: [reply(1, 'Resposta 1: oi #c1m1'), reply(2, 'Resposta 1: olá #c2m1'), reply(1, 'Resposta 2: e aí #c1m2')],
        logs: '{"msg":"turn delivered"}',
        secrets: ['s3cret'],
      }),
    );
    expect(Object.values(r.invariants)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(r.figures).toMatchObject({ messages: 3, answered: 3 });
  });

  it('a message Hermes answered but nobody received is lost, and unanswered', () => {
    const r = checkInvariants(history({ sent: [sent(1, 1)], hermesReplies: [{ conversationId: 1, text: 'Resposta 1: #c1m1' }] }));
    expect(r.invariants.repliesLost).toBe(1);
    expect(r.invariants.neverAnsweredNorHandedOff).toBe(1);
  });

  it('a message Hermes never saw is unanswered but not lost', () => {
    const r = checkInvariants(history({ sent: [sent(1, 1)] }));
    expect(r.invariants).toMatchObject({ repliesLost: 0, neverAnsweredNorHandedOff: 1 });
  });

  it('counts every extra public reply quoting the same message, not private notes', () => {
    const r = checkInvariants(
      history({
        sent: [sent(1, 1)],
        posts: [reply(1, '#c1m1'), reply(1, 'again #c1m1 #c1m1'), reply(1, 'third #c1m1'), { conversationId: 1, content: `${HANDOFF_NOTE_PREFIX}unconfirmed "#c1m1"`, private: true, at: 0 }],
        statusChanges: [{ conversationId: 1, to: 'open', by: 'bot', at: 0 }],
      }),
    );
    expect(r.invariants.repliesDuplicated).toBe(2);
  });

  it('a tag in another conversation, even in a private note, is a reply in the wrong conversation', () => {
    const r = checkInvariants(
      history({
        sent: [sent(1, 1), sent(2, 1)],
        posts: [reply(1, '#c1m1'), reply(2, '#c2m1 #c1m1'), { conversationId: 3, content: 'note #c2m1', private: true, at: 0 }],
        hermesReplies: [{ conversationId: 2, text: 'Resposta 1: #c2m1' }, { conversationId: 3, text: 'Resposta 1: #c1m1' }],
      }),
    );
    expect(r.invariants.repliesWrongConversation).toBe(3);
    expect(r.invariants.repliesDuplicated).toBe(0);
  });

  it('out of order only when the earlier message was acknowledged before the later one was sent', () => {
    const ordered = [sent(1, 1, { sentAt: 0, ackedAt: 5 }), sent(1, 2, { sentAt: 100, ackedAt: 105 })];
    expect(checkInvariants(history({ sent: ordered, posts: [reply(1, '#c1m2'), reply(1, '#c1m1')] })).invariants.repliesOutOfOrder).toBe(1);
    // In flight together (m1 acked after m2 was sent): either order is fine.
    const together = [sent(1, 1, { sentAt: 0, ackedAt: 150 }), sent(1, 2, { sentAt: 100, ackedAt: 120 })];
    expect(checkInvariants(history({ sent: together, posts: [reply(1, '#c1m2'), reply(1, '#c1m1')] })).invariants.repliesOutOfOrder).toBe(0);
    // One reply answering both, after an earlier reply: in order.
    expect(checkInvariants(history({ sent: ordered, posts: [reply(1, '#c1m1'), reply(1, '#c1m1 #c1m2')] })).invariants.repliesOutOfOrder).toBe(0);
  });

  it('hand-offs, takeovers and Chatwoot opening the conversation account for unanswered messages', () => {
    const r = checkInvariants(
      history({
        sent: [sent(1, 1), sent(2, 1), sent(3, 1), sent(4, 1, { botsTurn: false })],
        posts: [{ conversationId: 1, content: `${HANDOFF_NOTE_PREFIX}Hermes unavailable`, private: true, at: 0 }],
        statusChanges: [
          { conversationId: 1, to: 'open', by: 'bot', at: 0 },
          { conversationId: 2, to: 'open', by: 'admin', at: 0 },
          { conversationId: 3, to: 'open', by: 'system', at: 0 },
        ],
      }),
    );
    expect(r.invariants.neverAnsweredNorHandedOff).toBe(0);
    expect(r.invariants.incompleteHandoffs).toBe(0);
    expect(r.figures).toMatchObject({ handedOff: 1, takenOver: 1, openedByChatwoot: 1, notTheBots: 1 });
  });

  it('a hand-off without its note, or a note without the open status, is incomplete (and leaves the message unanswered)', () => {
    const note = (c: number) => ({ conversationId: c, content: `${HANDOFF_NOTE_PREFIX}x`, private: true, at: 0 });
    const r = checkInvariants(
      history({
        sent: [sent(1, 1), sent(2, 1)],
        posts: [note(2)],
        statusChanges: [{ conversationId: 1, to: 'open', by: 'bot', at: 0 }],
      }),
    );
    expect(r.invariants.incompleteHandoffs).toBe(2);
    expect(r.invariants.neverAnsweredNorHandedOff).toBe(1);
  });

  it('counts each occurrence of each secret in the logs', () => {
    const r = checkInvariants(history({ logs: 'token=abc123 then abc123 and k-9', secrets: ['abc123', 'k-9', 'absent'] }));
    expect(r.invariants.secretsInLogs).toBe(3);
  });
});
