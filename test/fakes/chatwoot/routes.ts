/**
 * The REST endpoints of the fake Chatwoot, one small handler each, with Chatwoot v4.15's answers
 * (chatwoot.md §5 bot-token API, §6 admin API). Handlers are pure over ChatwootState: the server
 * (fake-chatwoot.ts) does auth, recording, failure injection and echo delivery around them.
 */
import { agentBotJson, conversationJson, inboxJson, messageJson, teamRecordJson, userJson, type Actor } from './presenters.js';
import type { Endpoint } from './auth.js';
import { secureToken, type ChatwootState } from './state.js';
import type { AgentBotRecord, ConversationState, ConversationStatus, InboxRecord, StoredMessage } from './types.js';

export interface Reply {
  status: number;
  /** JSON body; absent = empty body (Rails `head`). */
  json?: unknown;
}

export interface RouteContext {
  actor: Actor;
  params: Record<string, number>;
  /** Parsed JSON body, {} when absent. */
  body: any;
  state: ChatwootState;
  /** Conversation of the path (conversation routes only). */
  conv: ConversationState;
  /** Called after a message is stored / a status changes, so the server can echo webhooks. */
  onMessage(conv: ConversationState, message: StoredMessage): void;
  onStatusChange(conv: ConversationState, from: ConversationStatus): void;
  /** Liquidable#process_liquid_in_content for an outgoing message's content (see liquid.ts). */
  renderOutgoing(conv: ConversationState, content: string, sender: StoredMessage['sender']): string;
  messageRateLimit: number | null;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Chatwoot's controller#action, which auth.ts looks up in the version's BOT_ACCESSIBLE_ENDPOINTS; false = users only. */
  bot: Endpoint | false;
  /** Needs the conversation of the path (404 when it is marked missing). */
  conversation?: boolean;
  handle(ctx: RouteContext): Reply;
}

export const NOT_FOUND: Reply = { status: 404, json: { error: 'Resource could not be found' } };
const STATUSES: ConversationStatus[] = ['open', 'resolved', 'pending', 'snoozed'];
const MAX_CONTENT_LENGTH = 150_000;

const conv = (suffix: string): RegExp =>
  new RegExp(`^/api/v1/accounts/(?<account>\\d+)/conversations/(?<conversation>\\d+)${suffix}/?$`);
const account = (suffix: string): RegExp => new RegExp(`^/api/v1/accounts/(?<account>\\d+)${suffix}/?$`);

export const routes: Route[] = [
  { method: 'GET', pattern: conv(''), bot: 'conversations#show', conversation: true, handle: (c) => ({ status: 200, json: conversationJson(c.state, c.conv) }) },
  { method: 'PATCH', pattern: conv(''), bot: 'conversations#update', conversation: true, handle: updateConversation },
  { method: 'POST', pattern: conv('/messages'), bot: 'conversations/messages#create', conversation: true, handle: createMessage },
  { method: 'GET', pattern: conv('/messages'), bot: false, conversation: true, handle: listMessages },
  { method: 'POST', pattern: conv('/toggle_status'), bot: 'conversations#toggle_status', conversation: true, handle: toggleStatus },
  { method: 'POST', pattern: conv('/toggle_typing_status'), bot: 'conversations#toggle_typing_status', conversation: true, handle: toggleTyping },
  { method: 'POST', pattern: conv('/toggle_priority'), bot: 'conversations#toggle_priority', conversation: true, handle: togglePriority },
  { method: 'GET', pattern: conv('/labels'), bot: 'conversations/labels#index', conversation: true, handle: (c) => ({ status: 200, json: { payload: c.conv.labels } }) },
  { method: 'POST', pattern: conv('/labels'), bot: 'conversations/labels#create', conversation: true, handle: setLabels },
  { method: 'POST', pattern: conv('/assignments'), bot: 'conversations/assignments#create', conversation: true, handle: assign },
  { method: 'POST', pattern: conv('/custom_attributes'), bot: 'conversations#custom_attributes', conversation: true, handle: setCustomAttributes },
  { method: 'GET', pattern: account('/agent_bots'), bot: false, handle: listBots },
  { method: 'POST', pattern: account('/agent_bots'), bot: false, handle: createBot },
  { method: 'GET', pattern: account('/agent_bots/(?<id>\\d+)'), bot: false, handle: (c) => withBot(c, (b) => ({ status: 200, json: agentBotJson(b) })) },
  { method: 'PATCH', pattern: account('/agent_bots/(?<id>\\d+)'), bot: false, handle: updateBot },
  { method: 'DELETE', pattern: account('/agent_bots/(?<id>\\d+)'), bot: false, handle: deleteBot },
  { method: 'POST', pattern: account('/agent_bots/(?<id>\\d+)/reset_secret'), bot: false, handle: (c) => withBot(c, (b) => ((b.secret = secureToken()), { status: 200, json: agentBotJson(b) })) },
  { method: 'POST', pattern: account('/agent_bots/(?<id>\\d+)/reset_access_token'), bot: false, handle: (c) => withBot(c, (b) => ((b.accessToken = secureToken()), { status: 200, json: agentBotJson(b) })) },
  { method: 'GET', pattern: account('/inboxes'), bot: false, handle: listInboxes },
  { method: 'GET', pattern: account('/inboxes/(?<id>\\d+)'), bot: false, handle: (c) => withInbox(c, (i) => ({ status: 200, json: inboxJson(i) })) },
  { method: 'POST', pattern: account('/inboxes/(?<id>\\d+)/set_agent_bot'), bot: false, handle: setAgentBot },
  { method: 'GET', pattern: account('/inboxes/(?<id>\\d+)/agent_bot'), bot: false, handle: getInboxBot },
];

export function findRoute(method: string, path: string, table: Route[] = routes): { route: Route; params: Record<string, number> } | null {
  for (const route of table) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, Number(v)])) };
  }
  return null;
}

// ── conversations ────────────────────────────────────────────────────────────────────────────────

function createMessage(c: RouteContext): Reply {
  const b = c.body;
  const messageType = b.message_type ?? 'outgoing';
  if (messageType !== 'outgoing' && messageType !== 'incoming') {
    return { status: 422, json: { error: `'${String(messageType)}' is not a valid message_type` } };
  }
  if (messageType === 'incoming' && c.state.channelType(c.conv.inboxId) !== 'Channel::Api') {
    return { status: 422, json: { error: 'Incoming messages are only allowed in Api inboxes' } };
  }
  const content = b.content === undefined || b.content === null ? null : String(b.content);
  // message.save! raises ActiveRecord::RecordInvalid; messages_controller#create rescues StandardError
  // into render_could_not_create_error(e.message): {"error": "Validation failed: <full messages>"}.
  // prevent_message_flooding is a before_validation that adds to :base, so it comes first.
  const errors: string[] = [];
  const previous = c.state.messages(c.conv.accountId, c.conv.id);
  if (c.messageRateLimit !== null && previous.filter((m) => m.at > Date.now() - 60_000).length >= c.messageRateLimit) {
    errors.push('Too many messages');
  }
  if (content !== null && content.length > MAX_CONTENT_LENGTH) errors.push(`Content is too long (maximum is ${MAX_CONTENT_LENGTH} characters)`);
  if (errors.length > 0) return { status: 422, json: { error: `Validation failed: ${errors.join(', ')}` } };
  const sender: StoredMessage['sender'] = { kind: c.actor.kind === 'bot' ? 'agent_bot' : 'user', id: c.actor.id, name: c.actor.name };
  // Rendered before it is stored: what Chatwoot keeps, sends to WhatsApp and echoes is the rendered text.
  const stored = c.state.addMessage(c.conv, {
    content: content !== null && messageType === 'outgoing' ? c.renderOutgoing(c.conv, content, sender) : content,
    private: b.private === true || b.private === 'true',
    message_type: messageType,
    content_type: typeof b.content_type === 'string' ? b.content_type : 'text',
    content_attributes: contentAttributes(b.content_attributes),
    sender,
    source_id: b.source_id === undefined || b.source_id === null ? null : String(b.source_id),
    echo_id: b.echo_id === undefined || b.echo_id === null ? null : String(b.echo_id),
    template_params: b.template_params ?? null,
  });
  c.onMessage(c.conv, stored);
  return { status: 200, json: messageJson(stored, c.conv) };
}

/** content_attributes may be an object or a JSON string (message_builder.rb parses strings). */
function contentAttributes(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function listMessages(c: RouteContext): Reply {
  const payload = c.state.messages(c.conv.accountId, c.conv.id).map((m) => messageJson(m, c.conv));
  return { status: 200, json: { meta: { labels: c.conv.labels, assignee: null, contact: {} }, payload } };
}

function toggleStatus(c: RouteContext): Reply {
  const requested = c.body.status;
  if (requested !== undefined && !STATUSES.includes(requested)) {
    return { status: 422, json: { error: `'${String(requested)}' is not a valid status` } };
  }
  const from = c.conv.status;
  // Without a status Chatwoot toggles: open ↔ resolved, pending/snoozed → open.
  const to: ConversationStatus = requested ?? (from === 'open' ? 'resolved' : 'open');
  // A bot moving pending → open runs bot_handoff!, whose result is not a boolean: success is null.
  const success = c.actor.kind === 'bot' && from === 'pending' && to === 'open' ? null : true;
  c.conv.status = to;
  c.conv.snoozedUntil = to === 'snoozed' && typeof c.body.snoozed_until === 'number' ? c.body.snoozed_until : null;
  if (from !== to) {
    c.conv.history.push({ from, to, at: Date.now(), by: c.actor.kind });
    c.onStatusChange(c.conv, from);
  }
  // toggle_status.json.jbuilder: its `json.meta do end` block is empty, and jbuilder drops an empty block,
  // so the body is `{"payload": …}` only; snoozed_until is the model's datetime (ISO 8601, ms) or null.
  const snoozedUntil = c.conv.snoozedUntil === null ? null : new Date(c.conv.snoozedUntil * 1000).toISOString();
  return { status: 200, json: { payload: { success, conversation_id: c.conv.id, current_status: to, snoozed_until: snoozedUntil } } };
}

function toggleTyping(c: RouteContext): Reply {
  const value = c.body.typing_status;
  if (value === 'on' || value === 'off') {
    c.conv.typing = value;
    c.conv.typingEvents.push(value);
  }
  return { status: 200 };
}

function togglePriority(c: RouteContext): Reply {
  c.conv.priority = typeof c.body.priority === 'string' ? c.body.priority : null;
  return { status: 200 };
}

function updateConversation(c: RouteContext): Reply {
  if ('priority' in c.body) c.conv.priority = typeof c.body.priority === 'string' ? c.body.priority : null;
  return { status: 200, json: conversationJson(c.state, c.conv) };
}

/** POST labels replaces the whole list (update_labels), answering the new list. */
function setLabels(c: RouteContext): Reply {
  const labels: unknown[] = Array.isArray(c.body.labels) ? c.body.labels : [];
  c.conv.labels = [...new Set(labels.map(String))];
  return { status: 200, json: { payload: c.conv.labels } };
}

/** POST custom_attributes replaces the whole hash. */
function setCustomAttributes(c: RouteContext): Reply {
  const attrs = c.body.custom_attributes;
  c.conv.customAttributes = typeof attrs === 'object' && attrs !== null ? { ...attrs } : {};
  return { status: 200, json: { custom_attributes: c.conv.customAttributes } };
}

/** assignments_controller#create: assignee_id (user or AgentBot) wins over team_id; a nil target renders null. */
function assign(c: RouteContext): Reply {
  const b = c.body;
  if ('assignee_id' in b) {
    const id = b.assignee_id === null ? null : Number(b.assignee_id);
    if (b.assignee_type === 'AgentBot') {
      const bot = id === null ? undefined : c.state.agentBots.get(id);
      c.conv.assigneeId = id;
      c.conv.assigneeType = id === null ? null : 'AgentBot';
      return { status: 200, json: bot ? agentBotJson(bot) : null };
    }
    // A human assignee replaces the bot assignee.
    c.conv.assigneeId = id;
    c.conv.assigneeType = id === null ? null : 'User';
    return { status: 200, json: id === null ? null : userJson(id) };
  }
  if ('team_id' in b) {
    // set_team: `Current.account.teams.find_by(id:)` is nil for an unknown id, and `update!(team: nil)`
    // clears the team; `render json: @team` then answers 200 `null` (a known team: its as_json).
    const id = b.team_id === null ? null : Number(b.team_id);
    c.conv.teamId = id !== null && c.state.teams.has(id, c.conv.accountId) ? id : null;
    return { status: 200, json: c.conv.teamId === null ? null : teamRecordJson(c.conv.teamId, c.conv.accountId) };
  }
  return { status: 200, json: null };
}

// ── agent bots (admin) ───────────────────────────────────────────────────────────────────────────

function listBots(c: RouteContext): Reply {
  const bots = [...c.state.agentBots.values()].filter((b) => b.accountId === c.params.account);
  return { status: 200, json: bots.map(agentBotJson) };
}

function botFieldsInvalid(b: any): Reply | null {
  if (typeof b.outgoing_url === 'string' && b.outgoing_url.length > 2048) {
    return { status: 422, json: { message: 'Outgoing url is too long (maximum is 2048 characters)', attributes: ['outgoing_url'] } };
  }
  return null;
}

function createBot(c: RouteContext): Reply {
  const b = c.body;
  const invalid = botFieldsInvalid(b);
  if (invalid) return invalid;
  const bot = c.state.addAgentBot(
    {
      name: typeof b.name === 'string' ? b.name : '',
      description: typeof b.description === 'string' ? b.description : '',
      outgoingUrl: typeof b.outgoing_url === 'string' ? b.outgoing_url : '',
      botConfig: typeof b.bot_config === 'object' && b.bot_config !== null ? b.bot_config : {},
      accountId: c.params.account!,
    },
    c.params.account!,
  );
  return { status: 200, json: agentBotJson(bot) };
}

function withBot(c: RouteContext, fn: (bot: AgentBotRecord) => Reply): Reply {
  const bot = c.state.agentBots.get(c.params.id!);
  return bot && bot.accountId === c.params.account ? fn(bot) : NOT_FOUND;
}

function updateBot(c: RouteContext): Reply {
  return withBot(c, (bot) => {
    const b = c.body;
    const invalid = botFieldsInvalid(b);
    if (invalid) return invalid;
    if (typeof b.name === 'string') bot.name = b.name;
    if (typeof b.description === 'string') bot.description = b.description;
    if (typeof b.outgoing_url === 'string') bot.outgoingUrl = b.outgoing_url;
    if (typeof b.bot_config === 'object' && b.bot_config !== null) bot.botConfig = b.bot_config;
    return { status: 200, json: agentBotJson(bot) };
  });
}

function deleteBot(c: RouteContext): Reply {
  return withBot(c, (bot) => {
    c.state.deleteAgentBot(bot.id);
    return { status: 200 };
  });
}

// ── inboxes (admin) ──────────────────────────────────────────────────────────────────────────────

function listInboxes(c: RouteContext): Reply {
  const inboxes = [...c.state.inboxes.values()].filter((i) => i.accountId === c.params.account);
  return { status: 200, json: { payload: inboxes.map(inboxJson) } };
}

function withInbox(c: RouteContext, fn: (inbox: InboxRecord) => Reply): Reply {
  const inbox = c.state.inboxes.get(c.params.id!);
  return inbox && inbox.accountId === c.params.account ? fn(inbox) : NOT_FOUND;
}

/** `{"agent_bot": id}` attaches, `{"agent_bot": null}` detaches; 200 with an EMPTY body (the spec says 204). */
function setAgentBot(c: RouteContext): Reply {
  return withInbox(c, (inbox) => {
    const id = c.body.agent_bot;
    if (id === null || id === undefined || id === '') {
      inbox.agentBotId = null;
      return { status: 200 };
    }
    const bot = c.state.agentBots.get(Number(id));
    if (!bot) return NOT_FOUND;
    inbox.agentBotId = bot.id;
    return { status: 200 };
  });
}

function getInboxBot(c: RouteContext): Reply {
  return withInbox(c, (inbox) => {
    const bot = inbox.agentBotId === null ? undefined : c.state.agentBots.get(inbox.agentBotId);
    // agent_bot.json.jbuilder: an empty `json.agent_bot do … end` block is dropped, so no bot answers `{}`.
    return { status: 200, json: bot ? { agent_bot: agentBotJson(bot) } : {} };
  });
}
