import type { Classified } from '../domain/events.js';
import { parseBotCommand } from './bot-commands.js';
import { messageEventSchema, conversationEventSchema, type MessageEvent } from './payload.js';

/**
 * Chatwoot's webhook payloads → the bot's events (domain/events.ts): which ones the bot acts on, and
 * why it ignores the others.
 */

const MESSAGE_TYPES: Record<string, 'incoming' | 'outgoing' | 'activity' | 'template'> = {
  incoming: 'incoming',
  '0': 'incoming',
  outgoing: 'outgoing',
  '1': 'outgoing',
  activity: 'activity',
  '2': 'activity',
  template: 'template',
  '3': 'template',
};

export function classify(body: unknown): Classified {
  const event = typeof body === 'object' && body !== null ? (body as { event?: unknown }).event : undefined;
  if (event === 'message_created' || event === 'message_updated') {
    const parsed = messageEventSchema.safeParse(body);
    if (!parsed.success) return { kind: 'ignore', reason: `malformed ${event} payload: ${firstIssue(parsed.error)}` };
    return classifyMessage(parsed.data);
  }
  if (
    event === 'conversation_opened' ||
    event === 'conversation_resolved' ||
    event === 'conversation_status_changed' ||
    event === 'conversation_updated'
  ) {
    const parsed = conversationEventSchema.safeParse(body);
    if (!parsed.success) return { kind: 'ignore', reason: `malformed ${event} payload: ${firstIssue(parsed.error)}` };
    const c = parsed.data;
    const accountId = c.account?.id ?? c.account_id;
    if (accountId === undefined || c.status === undefined) return { kind: 'ignore', reason: `${event} without account or status` };
    const key = { accountId, conversationId: c.id };
    // Assigning a human agent hands the conversation to them, as a reply from them would (the bot's own
    // assignment is assignee_agent_bot_id, never assignee_id: app/models/conversation.rb).
    const assignee = event === 'conversation_updated' ? assignedUser(body) : null;
    if (assignee !== null) return { kind: 'takeover', key, status: c.status, inboxId: c.inbox_id ?? null, by: 'assignment', assigneeId: assignee };
    // conversation_updated fires for labels, team, priority…; otherwise only a status change matters here.
    if (event === 'conversation_updated' && !statusChanged(body)) {
      return { kind: 'ignore', reason: 'conversation_updated without a status change', key };
    }
    return { kind: 'status', key, status: c.status, inboxId: c.inbox_id ?? null };
  }
  return { kind: 'ignore', reason: `event ${typeof event === 'string' ? event : '(none)'} is not handled` };
}

function classifyMessage(m: MessageEvent): Classified {
  const key = { accountId: m.account.id, conversationId: m.conversation.id };
  const status = m.conversation.status ?? 'unknown';
  const type = MESSAGE_TYPES[String(m.message_type)];
  const ignore = (reason: string): Classified => ({ kind: 'ignore', reason, key, messageId: m.id });

  if (m.event === 'message_updated') {
    // WhatsApp refused the bot's own message (whatsapp/providers/base_service.rb sets external_error and saves):
    // the customer never saw it. Only the bot's public messages: a note is never sent to WhatsApp.
    const failure = m.content_attributes?.external_error;
    if (type === 'outgoing' && !m.private && m.sender?.type === 'agent_bot' && present(failure)) {
      return { kind: 'delivery_failed', key, status, messageId: m.id, error: String(failure).slice(0, 500) };
    }
    const transcript = (m.attachments ?? []).find((a) => a.file_type === 'audio' && (a.transcribed_text ?? '').trim())?.transcribed_text?.trim();
    if (transcript && !m.private && MESSAGE_TYPES[String(m.message_type)] === 'incoming') return { kind: 'transcript', key, status, messageId: m.id, transcript };
    return ignore('message_updated without a new transcript (receipts, edits) does not start a turn');
  }
  if (type === 'activity') return ignore('activity message');
  if (type === 'template') return ignore('template message (greeting / out of office)');
  if (m.private) {
    // The bot's own note comes back too (the listener has no `private` filter): a hand-off note's witness.
    if (m.sender?.type === 'agent_bot') return { kind: 'bot_echo', key, status, messageId: m.id, content: m.content ?? '', private: true };
    const command = m.sender?.type === 'user' ? parseBotCommand(m.content ?? '') : null;
    if (command) return { kind: 'command', key, inboxId: m.inbox?.id ?? m.conversation.inbox_id ?? null, messageId: m.id, command };
    return ignore('private note');
  }

  if (type === 'outgoing') {
    if (m.sender?.type === 'agent_bot' || m.sender?.type === 'captain_assistant') {
      return { kind: 'bot_echo', key, status, messageId: m.id, content: m.content ?? '', private: false };
    }
    // Only a human reply is a takeover, exactly as Chatwoot's Message#human_response? (app/models/message.rb)
    // decides: not from an automation rule or a campaign, and written by a user or echoed from the phone.
    if (present(m.content_attributes?.automation_rule_id)) return ignore('outgoing message from an automation rule: not a human reply');
    if (present(m.additional_attributes?.campaign_id)) return ignore('outgoing campaign message: not a human reply');
    const takeover = { kind: 'takeover', key, status, inboxId: m.inbox?.id ?? null, messageId: m.id, content: m.content ?? '' } as const;
    if (m.sender?.type === 'user') return { ...takeover, by: 'agent' };
    // A WhatsApp Business app echo carries external_echo; a sender-less message without it is Chatwoot's
    // own (an automation's "send attachment" has no automation_rule_id: automation_rules/action_service.rb).
    if (m.sender == null && present(m.content_attributes?.external_echo)) return { ...takeover, by: 'phone' };
    if (m.sender == null) return ignore('outgoing message without a sender and without external_echo: not a human reply');
    return ignore(`outgoing message from sender type ${m.sender.type ?? '(none)'}`);
  }
  if (type !== 'incoming') return ignore(`message_type ${String(m.message_type)} is not handled`);

  // A contact's webhook_data has no `type`; anything typed (user, agent_bot) did not come from the customer.
  if (!m.sender || (m.sender.type !== undefined && m.sender.type !== 'contact')) {
    return ignore('incoming message not written by the contact');
  }
  // Not pending: humans own it. Still classified, so a silenced bot can keep it as hand-back context.
  const text = (m.content ?? '').trim();
  const attachments = m.attachments ?? [];
  if (text === '' && attachments.length === 0) return ignore('incoming message without text or attachments');

  return {
    kind: 'customer_message',
    key,
    status,
    labels: m.conversation.labels ?? [],
    message: {
      messageId: m.id,
      inboxId: m.inbox?.id ?? m.conversation.inbox_id ?? null,
      contactId: m.sender.id ?? m.conversation.contact_inbox?.contact_id ?? null,
      contactName: m.sender.name ?? m.conversation.meta?.sender?.name ?? null,
      text,
      attachments,
      createdAt: typeof m.created_at === 'string' ? m.created_at : m.created_at != null ? unixToIso(m.created_at) : null,
    },
  };
}

/**
 * Chatwoot's epoch seconds as ISO text; null for a number no Date can hold (1e300, a huge negative),
 * which toISOString would throw on. A null createdAt stands for "when received" (safety/input-checks.ts).
 */
function unixToIso(seconds: number): string | null {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Rails' `present?`: not nil, not false, not an empty or blank string, not an empty array or hash. */
function present(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * The user a conversation_updated newly assigns, if any: `changed_attributes` (v4.13+, Rails
 * previous_changes as [{attr: {previous_value, current_value}}]) with an `assignee_id` that is set now.
 */
function assignedUser(body: unknown): number | null {
  const changed = (body as { changed_attributes?: unknown }).changed_attributes;
  if (!Array.isArray(changed)) return null;
  for (const entry of changed) {
    const change = typeof entry === 'object' && entry !== null ? (entry as { assignee_id?: { current_value?: unknown } }).assignee_id : undefined;
    const current = change?.current_value;
    if (typeof current === 'number' && Number.isInteger(current)) return current;
  }
  return null;
}

function statusChanged(body: unknown): boolean {
  const changed = (body as { changed_attributes?: unknown }).changed_attributes;
  if (!Array.isArray(changed)) return false;
  return changed.some((entry) => typeof entry === 'object' && entry !== null && 'status' in entry);
}

function firstIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
