/**
 * The invariants every chaos run is judged on, computed from what happened (a history recorded by the
 * harness, or written by hand in the unit tests): what the customers sent, what Chatwoot stored, who
 * changed each conversation's status, what Hermes answered, and what the bot printed.
 *
 * Every customer message carries a tag "#c<conversation>m<seq>" (bench/lib/webhooks.ts) and the fake
 * Hermes quotes the turn's input in its reply, so a posted reply says which messages it answers.
 * A message is "the bot's" when its conversation was `pending` as Chatwoot sent it (a message to an
 * open conversation never reaches the bot in Chatwoot's eyes either). A message of the bot's is
 * accounted for when a public reply quotes it, or when humans got its conversation: the bot handed
 * off (status `open` by the bot), a human took over, or Chatwoot opened it after its last delivery
 * attempt failed (that last one is a figure, not a loss: it is what Chatwoot does by design).
 */
import { HANDOFF_NOTE_PREFIX } from '../../src/domain/outbox.js';
import { tagsIn } from '../../bench/lib/webhooks.js';

export interface SentMessage {
  conversationId: number;
  seq: number;
  /** Date.now() when Chatwoot started delivering it. */
  sentAt: number;
  /** Its conversation was pending (the bot's) when it was sent. */
  botsTurn: boolean;
  /** Date.now() when a delivery attempt was first answered 2xx, null when none was. */
  ackedAt: number | null;
}

export interface PostedMessage {
  conversationId: number;
  content: string;
  private: boolean;
  /** Date.now() when Chatwoot stored it. */
  at: number;
}

export interface StatusChange {
  conversationId: number;
  to: string;
  /** bot: a hand-off; admin: a human took over; system: Chatwoot after a failed delivery. */
  by: 'bot' | 'admin' | 'system';
  at: number;
}

export interface ChaosHistory {
  sent: SentMessage[];
  /** Every message Chatwoot stored from the bot, in order. */
  posts: PostedMessage[];
  statusChanges: StatusChange[];
  /** Texts Hermes answered with (200), with the conversation whose session asked. */
  hermesReplies: Array<{ conversationId: number; text: string }>;
  /** Everything the bot processes printed. */
  logs: string;
  /** Values that must never be printed. */
  secrets: string[];
}

export interface Invariants {
  /** Messages Hermes answered whose reply never reached the customer, with no hand-off either. */
  repliesLost: number;
  /** Extra public replies quoting a message already answered. */
  repliesDuplicated: number;
  /** Tags found in a post to another conversation than theirs, or in another conversation's Hermes session. */
  repliesWrongConversation: number;
  /** Replies posted before the reply to a message acknowledged before theirs was even sent. */
  repliesOutOfOrder: number;
  /** Messages of the bot's never answered nor handed to humans. */
  neverAnsweredNorHandedOff: number;
  /** Hand-offs missing their note or their `open` status. */
  incompleteHandoffs: number;
  /** Occurrences of a secret in the bot's output. */
  secretsInLogs: number;
}

export interface Figures {
  messages: number;
  answered: number;
  handedOff: number;
  takenOver: number;
  /** Messages in conversations Chatwoot opened itself after its last delivery attempt failed. */
  openedByChatwoot: number;
  notTheBots: number;
}

export function checkInvariants(h: ChaosHistory): { invariants: Invariants; figures: Figures; /** A few "#c<conversation>m<seq>" of the messages behind lost/unanswered counts, for investigating. */ examples: string[] } {
  const key = (c: number, s: number) => `${c}/${s}`;
  const publicReplies = new Map<string, number[]>(); // tag → indexes of public posts quoting it
  let wrongConversation = 0;
  h.posts.forEach((post, index) => {
    for (const tag of tagsIn(post.content)) {
      if (tag.conversationId !== post.conversationId) {
        wrongConversation++;
        continue;
      }
      if (post.private) continue;
      const list = publicReplies.get(key(tag.conversationId, tag.seq)) ?? [];
      // One post quoting a tag twice is one reply.
      if (list.at(-1) !== index) list.push(index);
      publicReplies.set(key(tag.conversationId, tag.seq), list);
    }
  });
  const duplicated = [...publicReplies.values()].reduce((n, l) => n + l.length - 1, 0);

  const openedBy = (by: StatusChange['by']) => new Set(h.statusChanges.filter((c) => c.by === by && c.to === 'open').map((c) => c.conversationId));
  const handedOff = openedBy('bot');
  const takenOver = openedBy('admin');
  const chatwootOpened = openedBy('system');
  const answeredByHermes = new Set<string>();
  for (const r of h.hermesReplies) {
    for (const t of tagsIn(r.text)) {
      // Hermes asked in another conversation's session: that customer's words reached the wrong memory.
      if (t.conversationId !== r.conversationId) wrongConversation++;
      else answeredByHermes.add(key(t.conversationId, t.seq));
    }
  }

  const figures: Figures = { messages: h.sent.length, answered: 0, handedOff: 0, takenOver: 0, openedByChatwoot: 0, notTheBots: 0 };
  let lost = 0;
  let unanswered = 0;
  const examples: string[] = [];
  for (const m of h.sent) {
    if (publicReplies.has(key(m.conversationId, m.seq))) figures.answered++;
    else if (!m.botsTurn) figures.notTheBots++;
    else if (handedOff.has(m.conversationId)) figures.handedOff++;
    else if (takenOver.has(m.conversationId)) figures.takenOver++;
    else if (chatwootOpened.has(m.conversationId)) figures.openedByChatwoot++;
    else {
      unanswered++;
      if (answeredByHermes.has(key(m.conversationId, m.seq))) lost++;
      if (examples.length < 8) examples.push(`#c${m.conversationId}m${m.seq}`);
    }
  }

  return {
    invariants: {
      repliesLost: lost,
      repliesDuplicated: duplicated,
      repliesWrongConversation: wrongConversation,
      repliesOutOfOrder: outOfOrder(h.sent, publicReplies),
      neverAnsweredNorHandedOff: unanswered,
      incompleteHandoffs: incompleteHandoffs(h, handedOff),
      secretsInLogs: h.secrets.filter(Boolean).reduce((n, s) => n + h.logs.split(s).length - 1, 0),
    },
    figures,
    examples,
  };
}

/**
 * Within a conversation, message s must be answered before message t when s was acknowledged before
 * t was even sent (the bot knew s first). Messages in flight together may be answered in either
 * order: Chatwoot itself does not order its deliveries.
 */
function outOfOrder(sent: SentMessage[], replies: Map<string, number[]>): number {
  const byConversation = new Map<number, SentMessage[]>();
  for (const m of sent) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  let count = 0;
  for (const messages of byConversation.values()) {
    for (const t of messages) {
      const tFirst = replies.get(`${t.conversationId}/${t.seq}`)?.[0];
      if (tFirst === undefined) continue;
      const before = messages.some((s) => {
        if (s === t || s.ackedAt === null || s.ackedAt >= t.sentAt) return false;
        const sFirst = replies.get(`${s.conversationId}/${s.seq}`)?.[0];
        return sFirst !== undefined && sFirst > tFirst;
      });
      if (before) count++;
    }
  }
  return count;
}

/** Conversations the bot opened without a note, or noted as handed off without opening. */
function incompleteHandoffs(h: ChaosHistory, handedOff: Set<number>): number {
  const noted = new Set(h.posts.filter((p) => p.private && p.content.startsWith(HANDOFF_NOTE_PREFIX)).map((p) => p.conversationId));
  let count = 0;
  for (const c of handedOff) if (!noted.has(c)) count++;
  for (const c of noted) if (!handedOff.has(c)) count++;
  return count;
}

export const INVARIANT_NAMES: Record<keyof Invariants, string> = {
  repliesLost: 'replies lost',
  repliesDuplicated: 'replies duplicated',
  repliesWrongConversation: 'replies in the wrong conversation',
  repliesOutOfOrder: 'replies out of order',
  neverAnsweredNorHandedOff: 'messages never answered nor handed off',
  incompleteHandoffs: 'hand-offs missing the note or the open status',
  secretsInLogs: 'secrets in logs',
};
