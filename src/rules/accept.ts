import type { ConversationKey } from '../domain/conversation.js';
import { inboxOf, type AcceptResult, type DebouncePolicy, type StoredEvent } from '../domain/intake.js';
import { awaitsTranscript, pendingDueAt, withTranscript } from './debounce.js';
import { dedupeKeyOf } from './dedupe.js';
import { decideDeliveryFailed } from './delivery-failed.js';
import { decideEcho } from './echo.js';
import type { AcceptSnapshot, ConversationRow } from './rows.js';
import { decideStatus } from './status.js';
import type { ConversationPatch, ConversationWrite, Write } from './writes.js';
import type { Decision, RuleContext } from './context.js';

export type { Decision, RuleContext } from './context.js';


/**
 * What an authentic event changes: the store's `accept`, as one decision over the rows it reads.
 * Dedupe first (a customer's message by its id, other events by their delivery id), so a duplicate
 * writes nothing; then the conversation row is created or refreshed (inbox, last status) and the
 * event's own rule adds to that one write.
 */
export function decideAccept(snapshot: AcceptSnapshot, event: StoredEvent, policy: DebouncePolicy, now: number): Decision<AcceptResult> {
  const writes: Write[] = [];
  // Erased on request: nothing of it is stored again (no text, no delivery id), so nothing is answered.
  if (snapshot.conversation?.forgotten) return { result: { outcome: 'ignored', reason: 'conversation erased on request (forget): the bot stays out of it' }, writes };
  if (event.kind === 'customer_message') {
    // A customer's message is its own dedupe key (Chatwoot retries resend the same message id), so it
    // needs no deliveries row: that row, keyed by a random UUID, dirtied a random index page per webhook.
    if (snapshot.message !== null) return { result: { outcome: 'duplicate' }, writes };
  } else {
    const dedupeKey = dedupeKeyOf(event);
    if (dedupeKey !== null && snapshot.deliverySeen) return { result: { outcome: 'duplicate' }, writes };
    if (dedupeKey !== null) writes.push({ kind: 'delivery', deliveryId: dedupeKey, receivedAt: now });
  }
  const conversation = conversationWrite(snapshot.conversation, event, now);
  writes.push(conversation);
  const conv: Pick<ConversationRow, 'botState' | 'leftPendingAt'> = snapshot.conversation ?? { botState: 'active', leftPendingAt: null };
  const ctx: RuleContext = { key: event.key, snapshot, conv, patch: conversation.patch, writes, policy, now };
  return { result: decideKind(ctx, event), writes };
}


function decideKind(ctx: RuleContext, event: StoredEvent): AcceptResult {
  switch (event.kind) {
    case 'customer_message':
      return customerMessage(ctx, event);
    case 'takeover':
      return takeover(ctx, event);
    case 'transcript':
      return transcript(ctx, event);
    case 'bot_echo':
      return decideEcho(ctx, event);
    case 'status':
      return decideStatus(ctx, event.status);
    case 'delivery_failed':
      return decideDeliveryFailed(ctx, event);
  }
}

function conversationWrite(row: ConversationRow | null, event: StoredEvent, now: number): ConversationWrite {
  const inboxId = inboxOf(event);
  const patch: ConversationPatch = { lastStatus: event.status, updatedAt: now, ...(inboxId === null ? {} : { inboxId }) };
  return { kind: 'conversation', key: event.key, expectedVersion: row?.version ?? null, patch };
}

type Of<K extends StoredEvent['kind']> = Extract<StoredEvent, { kind: K }>;

function customerMessage(ctx: RuleContext, event: Of<'customer_message'>): AcceptResult {
  const { conv, patch, now } = ctx;
  const m = event.message;
  // pending + bot active → a turn; bot silenced → kept for the hand-back: `held` if the customer
  // wrote while it was pending (may belong to the next bot phase), `context` if humans had it open.
  const state = conv.botState === 'active' ? (event.status === 'pending' ? 'pending' : null) : event.status === 'pending' ? 'held' : 'context';
  if (state === null) return { outcome: 'ignored', reason: `conversation is ${event.status}: humans own it` };
  const awaiting = awaitsTranscript(m.attachments);
  ctx.writes.push({
    kind: 'message',
    key: event.key,
    messageId: m.messageId,
    inboxId: m.inboxId,
    role: 'customer',
    text: m.text,
    attachments: m.attachments,
    createdAt: m.createdAt,
    receivedAt: now,
    awaitingTranscript: awaiting,
    state,
  });
  patch.lastCustomerAt = now;
  if (m.contactId !== null) patch.contactId = m.contactId;
  if (m.contactName !== null) patch.contactName = m.contactName;
  if (state !== 'pending') return { outcome: 'stored', dueAt: null, note: `bot silenced (${conv.botState}): kept as context` };
  const pending = ctx.snapshot.waiting.filter((w) => w.state === 'pending');
  const dueAt = pendingDueAt([...pending, { receivedAt: now, awaitingTranscript: awaiting }], now, ctx.policy);
  patch.dueAt = dueAt;
  return { outcome: 'stored', dueAt };
}

const TAKEOVER_REASONS = {
  agent: 'an agent replied',
  phone: 'a reply was sent from the WhatsApp phone',
  assignment: 'the conversation was assigned to an agent',
} as const;

function takeover(ctx: RuleContext, event: Of<'takeover'>): AcceptResult {
  const { patch, now } = ctx;
  // What the human wrote is hand-back context for Hermes; an assignment wrote nothing.
  if (event.by !== 'assignment' && ctx.snapshot.message === null) {
    ctx.writes.push({
      kind: 'message',
      key: event.key,
      messageId: event.messageId,
      inboxId: event.inboxId,
      role: 'agent',
      text: event.content,
      attachments: [],
      createdAt: null,
      receivedAt: now,
      awaitingTranscript: false,
      state: 'context',
    });
  }
  // An explicit pause (agent command) outranks the automatic silence: it ends only by /bot resume.
  if (ctx.conv.botState !== 'paused') {
    patch.botState = 'human';
    patch.stateReason = TAKEOVER_REASONS[event.by];
    patch.stateChangedAt = now;
    patch.leftPendingAt = event.status === 'pending' ? null : now;
  }
  return { outcome: 'stored', dueAt: null, note: 'bot silenced: human took over' };
}

function transcript(ctx: RuleContext, event: Of<'transcript'>): AcceptResult {
  const message = ctx.snapshot.message;
  if (message === null) return { outcome: 'stored', dueAt: null, note: 'transcript for a message the bot does not hold' };
  ctx.writes.push({ kind: 'transcript', accountId: event.key.accountId, messageId: event.messageId, attachments: withTranscript(message.attachments, event.transcript) });
  if (message.state !== 'pending') return { outcome: 'stored', dueAt: null, note: `transcript arrived after the message was ${message.state}` };
  const pending = ctx.snapshot.waiting
    .filter((w) => w.state === 'pending')
    .map((w) => (w.messageId === event.messageId ? { ...w, awaitingTranscript: false } : w));
  const dueAt = pendingDueAt(pending, ctx.now, ctx.policy);
  ctx.patch.dueAt = dueAt;
  return { outcome: 'stored', dueAt, note: 'transcript added' };
}
