/**
 * JSON shapes the fake answers and sends, modelled on Chatwoot v4.15's jbuilder views and webhook_data
 * (chatwoot.md §3, §5, §6; the shared fixtures show the webhook shapes field by field).
 */
import { ACCOUNT_NAME, type ChatwootState } from './state.js';
import type { AgentBotRecord, ConversationState, InboxRecord, StoredMessage } from './types.js';

const epoch = (ms: number): number => Math.floor(ms / 1000);

/** Who made a request, resolved from its access token. */
export type Actor =
  | { kind: 'bot'; id: number; name: string; accountId: number }
  | { kind: 'admin'; id: number; name: string; email: string };

export const ADMIN_USER = { id: 1, name: 'Admin Acme', email: 'admin@acme.example' };

export function agentBotJson(bot: AgentBotRecord): Record<string, unknown> {
  return {
    id: bot.id,
    name: bot.name,
    description: bot.description,
    thumbnail: '',
    outgoing_url: bot.outgoingUrl,
    bot_type: 'webhook',
    bot_config: bot.botConfig,
    account_id: bot.accountId,
    access_token: bot.accessToken,
    secret: bot.secret,
    system_bot: false,
  };
}

export function inboxJson(inbox: InboxRecord): Record<string, unknown> {
  return {
    id: inbox.id,
    avatar_url: '',
    channel_id: inbox.id,
    name: inbox.name,
    channel_type: inbox.channel_type,
    greeting_enabled: false,
    greeting_message: null,
    working_hours_enabled: false,
    enable_email_collect: true,
    csat_survey_enabled: false,
    enable_auto_assignment: true,
    out_of_office_message: null,
    timezone: 'UTC',
    allow_messages_after_resolved: true,
    lock_to_single_conversation: false,
    sender_name_type: 'friendly',
    business_name: null,
  };
}

export function userJson(id: number): Record<string, unknown> {
  return {
    id,
    account_id: 1,
    availability_status: 'online',
    auto_offline: true,
    confirmed: true,
    email: `agent${id}@acme.example`,
    available_name: `Agent ${id}`,
    name: `Agent ${id}`,
    role: 'agent',
    thumbnail: '',
  };
}

export function teamJson(id: number, accountId: number): Record<string, unknown> {
  return { id, name: `team ${id}`, description: '', allow_auto_assign: true, account_id: accountId, is_member: false };
}

/** A Team record rendered with `render json: @team` (Team#as_json: its columns), as assignments answer. */
export function teamRecordJson(id: number, accountId: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 0, 5, 12)).toISOString();
  return { id, name: `team ${id}`, description: '', allow_auto_assign: true, account_id: accountId, created_at: at, updated_at: at };
}

/** REST message (`_message.json.jbuilder`): integer message_type, epoch created_at. */
export function messageJson(m: StoredMessage, conv: ConversationState): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: m.id,
    content: m.content,
    inbox_id: conv.inboxId,
    conversation_id: conv.id,
    message_type: m.message_type === 'incoming' ? 0 : 1,
    content_type: m.content_type,
    status: 'sent',
    content_attributes: m.content_attributes,
    created_at: epoch(m.at),
    private: m.private,
    source_id: m.source_id,
  };
  // _message.json.jbuilder renders the sender only when there is one.
  const sender = restSender(m);
  if (sender) json.sender = sender;
  if (m.echo_id !== null) json.echo_id = m.echo_id;
  return json;
}

function restSender(m: StoredMessage): Record<string, unknown> | undefined {
  if (m.sender.kind === 'none') return undefined;
  return m.sender.kind === 'agent_bot'
    ? { id: m.sender.id, name: m.sender.name, avatar_url: '', type: 'agent_bot' }
    : { id: m.sender.id, name: m.sender.name, available_name: m.sender.name, avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '' };
}

/** `conversation.messages[0]` in webhooks: the push format of the last public message. */
function pushMessageJson(m: StoredMessage, conv: ConversationState): Record<string, unknown> {
  return {
    id: m.id,
    content: m.content,
    account_id: conv.accountId,
    inbox_id: conv.inboxId,
    conversation_id: conv.id,
    message_type: m.message_type === 'incoming' ? 0 : 1,
    created_at: epoch(m.at),
    updated_at: new Date(m.at).toISOString(),
    private: m.private,
    status: 'sent',
    source_id: m.source_id,
    content_type: m.content_type,
    content_attributes: m.content_attributes,
    sender_type: m.message_type === 'incoming' ? 'Contact' : m.sender.kind === 'none' ? null : m.sender.kind === 'agent_bot' ? 'AgentBot' : 'User',
    sender_id: m.message_type === 'incoming' ? conv.contact.id : m.sender.kind === 'none' ? null : m.sender.id,
    external_source_ids: {},
    additional_attributes: {},
    processed_message_content: m.content,
    sentiment: {},
    conversation: {
      assignee_id: conv.assigneeType === 'User' ? conv.assigneeId : null,
      unread_count: 0,
      last_activity_at: epoch(m.at),
      contact_inbox: { source_id: conv.contact.phoneNumber.replace(/^\+/, '') },
    },
    ...(m.sender.kind === 'none' ? {} : { sender: restSender(m) }),
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
  };
}

function contactJson(conv: ConversationState): Record<string, unknown> {
  return {
    additional_attributes: {},
    custom_attributes: {},
    email: null,
    id: conv.contact.id,
    identifier: null,
    name: conv.contact.name,
    phone_number: conv.contact.phoneNumber,
    thumbnail: '',
    blocked: false,
    type: 'contact',
  };
}

function assigneeJson(state: ChatwootState, conv: ConversationState): Record<string, unknown> | null {
  if (conv.assigneeId === null) return null;
  if (conv.assigneeType === 'AgentBot') {
    const bot = state.agentBots.get(conv.assigneeId);
    return { id: conv.assigneeId, name: bot?.name ?? `Bot ${conv.assigneeId}`, type: 'agent_bot' };
  }
  return userJson(conv.assigneeId);
}

/**
 * GET conversation (`api/v1/conversations/partials/_conversation.json.jbuilder`). Unlike webhook_data,
 * `meta` has no `assignee_type`, and `assignee` / `team` are left out (not null) when unset.
 */
export function conversationJson(state: ChatwootState, conv: ConversationState): Record<string, unknown> {
  // The fake stores no activity messages, so the last message is also the last non-activity one.
  const last = state.messages(conv.accountId, conv.id).at(-1);
  const now = epoch(Date.now());
  const meta: Record<string, unknown> = { sender: contactJson(conv), channel: state.channelType(conv.inboxId) };
  if (conv.assigneeType === 'User' && conv.assigneeId !== null) meta.assignee = userJson(conv.assigneeId);
  if (conv.teamId !== null) meta.team = teamJson(conv.teamId, conv.accountId);
  meta.hmac_verified = false;
  return {
    meta,
    id: conv.id,
    messages: last ? [pushMessageJson(last, conv)] : [],
    account_id: conv.accountId,
    uuid: `00000000-0000-4000-8000-${String(conv.id).padStart(12, '0')}`,
    additional_attributes: {},
    agent_last_seen_at: 0,
    assignee_last_seen_at: 0,
    can_reply: true,
    contact_last_seen_at: 0,
    custom_attributes: conv.customAttributes,
    inbox_id: conv.inboxId,
    labels: conv.labels,
    muted: false,
    snoozed_until: conv.snoozedUntil,
    status: conv.status,
    created_at: now,
    timestamp: last ? epoch(last.at) : now,
    first_reply_created_at: 0,
    unread_count: 0,
    last_non_activity_message: last ? pushMessageJson(last, conv) : null,
    last_activity_at: last ? epoch(last.at) : now,
    priority: conv.priority,
    waiting_since: 0,
    sla_policy_id: null,
  };
}

/** Conversation `webhook_data` (event_data_presenter.rb), as nested in webhooks or at their top level. */
export function conversationWebhookData(state: ChatwootState, conv: ConversationState): Record<string, unknown> {
  const last = state.lastPublicMessage(conv);
  const nowMs = Date.now();
  const waId = conv.contact.phoneNumber.replace(/^\+/, '');
  return {
    additional_attributes: {},
    can_reply: true,
    channel: state.channelType(conv.inboxId),
    contact_inbox: {
      id: conv.contact.id + 100000,
      contact_id: conv.contact.id,
      inbox_id: conv.inboxId,
      source_id: waId,
      created_at: new Date(nowMs).toISOString(),
      updated_at: new Date(nowMs).toISOString(),
      hmac_verified: false,
      pubsub_token: `pubsub${conv.contact.id}`,
    },
    id: conv.id,
    inbox_id: conv.inboxId,
    messages: last ? [pushMessageJson(last, conv)] : [],
    labels: conv.labels,
    meta: {
      sender: contactJson(conv),
      assignee: assigneeJson(state, conv),
      assignee_type: conv.assigneeType,
      team: conv.teamId === null ? null : teamJson(conv.teamId, conv.accountId),
      hmac_verified: false,
    },
    status: conv.status,
    custom_attributes: conv.customAttributes,
    snoozed_until: conv.snoozedUntil,
    unread_count: 0,
    first_reply_created_at: null,
    priority: conv.priority,
    waiting_since: 0,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    last_activity_at: epoch(last?.at ?? nowMs),
    timestamp: epoch(last?.at ?? nowMs),
    created_at: epoch(nowMs),
    updated_at: nowMs / 1000,
    account: { id: conv.accountId, name: ACCOUNT_NAME },
  };
}

/** Top-level `message_created` body (Message#webhook_data + event), as Chatwoot posts it to the bot. */
export function messageWebhook(state: ChatwootState, conv: ConversationState, m: StoredMessage, event: string): Record<string, unknown> {
  // An `incoming` message (Api inboxes only) comes from the contact: Contact#webhook_data has no `type`.
  const { type: _contactType, ...contact } = contactJson(conv);
  // Message#webhook_data: `sender.try(:webhook_data)`, so null for a message without a sender.
  const sender =
    m.message_type === 'incoming'
      ? contact
      : m.sender.kind === 'none'
        ? null
        : m.sender.kind === 'agent_bot'
        ? { id: m.sender.id, name: m.sender.name, type: 'agent_bot' }
        : { id: m.sender.id, name: m.sender.name, email: ADMIN_USER.email, type: 'user' };
  return {
    account: { id: conv.accountId, name: ACCOUNT_NAME },
    additional_attributes: {},
    content_attributes: m.content_attributes,
    content_type: m.content_type,
    content: webhookContent(m.content),
    conversation: conversationWebhookData(state, conv),
    created_at: new Date(m.at).toISOString(),
    id: m.id,
    inbox: { id: conv.inboxId, name: state.inboxName(conv.inboxId) },
    message_type: m.message_type,
    private: m.private,
    sender,
    source_id: m.source_id,
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    event,
  };
}

/**
 * Messages::WebhookContentNormalizer (v4.15.1): webhooks carry the content without CommonMark hard
 * breaks (backslash + newline) and without trailing newlines.
 */
export function webhookContent(content: string | null): string | null {
  if (content === null || content.trim() === '') return content;
  return content.replace(/\\\r?\n/g, '\n').replace(/(\r?\n)+$/, '');
}
