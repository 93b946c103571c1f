/** Public types of the fake Chatwoot (see fake-chatwoot.ts for the behaviour). */
import type { DashboardAppRecord } from './dashboard-apps.js';
import type { RequestFilter } from '../common/http.js';
import type { ChatwootVersion } from './auth.js';
import type { ApiIndexHealth } from './api-index.js';
import type { TeamRecord } from './teams.js';
import type { DeliveryRecord, DeliveryTarget, DeliveryTiming } from './delivery.js';

export type { ChatwootVersion, TeamRecord };

export type ConversationStatus = 'pending' | 'open' | 'resolved' | 'snoozed';

export interface FakeChatwootOptions {
  /** Token of the AgentBot the service uses (default 'bot-token'). */
  botToken?: string;
  /** Token of an administrator user (default 'admin-token'). */
  adminToken?: string;
  /** Check every request against the OpenAPI contract; see violations() (default true). */
  validate?: boolean;
  /** Spec used when validating (default: the shared Chatwoot contract). */
  specPath?: string;
  /**
   * Echo what Chatwoot would send back to the bot: every posted message as a signed `message_created`
   * webhook, fire-and-forget after the response. With `statusEvents`, a status change made through the
   * API also sends conversation_opened/_resolved, conversation_status_changed and conversation_updated.
   */
  echo?: { webhookUrl: string; secret: string; statusEvents?: boolean };
  /** Where deliver() sends webhooks (default: the echo's target). */
  delivery?: DeliveryTarget;
  /** Chatwoot's delivery numbers (default 3 attempts, 3 s apart, 5 s timeout); only unit tests of the fake change them. */
  deliveryTiming?: DeliveryTiming;
  /** The account setting keep_pending_on_bot_failure (default false, as on every account unless set in the Rails console). */
  keepPendingOnBotFailure?: boolean;
  /**
   * The Chatwoot release played (default '4.15.1'; '4.13' = '4.13.0'): it sets the bot token's rights as
   * that release's BOT_ACCESSIBLE_ENDPOINTS does (before 4.14.2 no GET conversation and no labels: 401
   * "not authorized for bots"), and GET /api answers it as `version`.
   */
  version?: ChatwootVersion | '4.13' | '4.14';
  /** GET conversation allowed for the bot token, whatever the version (older option; unset = as the version says). */
  showAllowed?: boolean;
  /**
   * Teams of the account (default: ids 1–5): listed by GET …/teams; assigning any other id answers
   * 200 null and clears the team, as assignments_controller#set_team does.
   */
  teams?: Array<{ id: number; name: string; accountId?: number }>;
  /** What GET /api reports about Redis and Postgres (default both 'ok'). */
  health?: ApiIndexHealth;
  /** Account of the bot token (default 1). */
  accountId?: number;
  /** Identity behind botToken, used as message sender (default 4, 'Assistente Acme' as in the fixtures). */
  botId?: number;
  botName?: string;
  /** Inbox of lazily created conversations (default 7, the fixtures' WhatsApp inbox). */
  inboxId?: number;
  /**
   * Behave as Chatwoot behind a default nginx (`underscores_in_headers off`): headers whose names have an
   * underscore, such as `api_access_token`, are dropped before the request is recorded or authenticated.
   */
  dropUnderscoreHeaders?: boolean;
  /** 'enterprise' (default, as Chatwoot's published images) or 'community' (no enterprise/ folder). */
  edition?: 'enterprise' | 'community';
  /** Chatwoot's CONVERSATION_MESSAGE_PER_MINUTE_LIMIT (Chatwoot default 200); off unless set. */
  messageRateLimit?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, or null when empty or not JSON. */
  body: any;
  rawBody: string;
  /** Answered status; 0 while in flight or when the connection was reset. */
  status: number;
  /** Date.now() at arrival. */
  at: number;
}

export interface StatusChange {
  from: ConversationStatus;
  to: ConversationStatus;
  at: number;
  /** Who changed it: through the API, or Chatwoot itself after a failed webhook delivery. */
  by: 'bot' | 'admin' | 'system';
}

export interface ConversationState {
  accountId: number;
  id: number;
  inboxId: number;
  status: ConversationStatus;
  labels: string[];
  /** Last toggle_typing_status value, null before any. */
  typing: 'on' | 'off' | null;
  /** Every toggle_typing_status value in order. */
  typingEvents: Array<'on' | 'off'>;
  teamId: number | null;
  assigneeId: number | null;
  assigneeType: 'User' | 'AgentBot' | null;
  customAttributes: Record<string, unknown>;
  priority: string | null;
  snoozedUntil: number | null;
  contact: { id: number; name: string; phoneNumber: string };
  /** Status changes made through the API or by Chatwoot (setConversation does not add entries). */
  history: StatusChange[];
  /** Activity messages Chatwoot added (not sent to bots: webhook_sendable? excludes activities). */
  activities: Array<{ content: string; at: number }>;
  /** true = the conversation does not exist: every route answers 404. */
  missing: boolean;
}

export interface StoredMessage {
  id: number;
  content: string | null;
  private: boolean;
  /** As sent: 'outgoing' (default) or 'incoming'. REST responses use the integer form (1 / 0). */
  message_type: 'outgoing' | 'incoming';
  content_type: string;
  content_attributes: Record<string, unknown>;
  /** Date.now() when stored. */
  at: number;
  /** 'none': Chatwoot stores no sender (automation rules build messages with a nil user). */
  sender: { kind: 'agent_bot' | 'user' | 'none'; id: number; name: string };
  /** Attachments in push_event_data form (only messages the fake makes itself: automations). */
  attachments?: Array<Record<string, unknown>>;
  /** source_id if the client sent one (it never should: Chatwoot would then not deliver the message). */
  source_id: string | null;
  echo_id: string | null;
  template_params: unknown;
}

export interface AgentBotRecord {
  id: number;
  accountId: number;
  name: string;
  description: string;
  outgoingUrl: string;
  botConfig: Record<string, unknown>;
  accessToken: string;
  secret: string;
}

export interface InboxRecord {
  id: number;
  accountId: number;
  name: string;
  /** e.g. 'Channel::Whatsapp', 'Channel::Api' (an Api inbox accepts incoming messages). */
  channel_type: string;
  agentBotId: number | null;
}

/** A webhook the fake sent back to the bot: its delivery, attempt by attempt (delivery.ts). */
export type EchoRecord = DeliveryRecord;

export type CannedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'reset';

export interface FakeChatwoot {
  url: string;
  /** The Chatwoot release played (full form, e.g. '4.13.0'). */
  version: ChatwootVersion;
  requests: RecordedRequest[];
  /** Every contract violation seen, prefixed "METHOD path: ". */
  violations(): string[];
  /** Messages posted through the API to that conversation, in order. */
  messages(account: number, conversation: number, filter?: { private?: boolean }): StoredMessage[];
  /** Live state of a conversation (created lazily, status 'pending'). */
  conversation(account: number, conversation: number): ConversationState;
  setConversation(account: number, conversation: number, patch: Partial<Omit<ConversationState, 'accountId' | 'id'>>): ConversationState;
  failNext(match: RequestFilter, responses: CannedResponse[]): void;
  setDelay(ms: number): void;
  waitFor(predicate: (f: FakeChatwoot) => boolean, timeoutMs?: number): Promise<void>;
  agentBots: Map<number, AgentBotRecord>;
  inboxes: Map<number, InboxRecord>;
  /** The accounts' Dashboard Apps (chatwoot/dashboard-apps.ts). */
  dashboardApps: Map<number, DashboardAppRecord>;
  addDashboardApp(app: { title: string; content: Array<{ url: string; type: string }>; accountId?: number }): DashboardAppRecord;
  /** Who the conversation screen (/app/accounts/:a/conversations/:c) says is signed in; default the admin. */
  signIn(agent: { id: number; name: string; email: string }): void;
  addInbox(inbox: { id: number; name: string; channel_type: string; accountId?: number; agentBotId?: number | null }): InboxRecord;
  addAgentBot(bot: Partial<AgentBotRecord> & { name: string }): AgentBotRecord;
  addTeam(team: { id: number; name: string; accountId?: number }): TeamRecord;
  /**
   * What an automation rule's action makes Chatwoot create and send to the bot
   * (automation_rules/action_service.rb): "send message" = outgoing, no sender, `automation_rule_id`;
   * "send attachment" (`attachment: true`) = outgoing, no sender, no content, an attachment and NO
   * automation_rule_id; "add private note" (`private: true`). Needs the echo option to reach the bot.
   */
  automationMessage(account: number, conversation: number, action: { content?: string | null; ruleId?: number; private?: boolean; attachment?: boolean }): StoredMessage;
  /**
   * A WhatsApp customer writes: Chatwoot stores an incoming message and sends `message_created`. A voice
   * note (`audio: true`) arrives without content and with `transcribed_text: ""`; on an enterprise build
   * (the default images; `edition`) Chatwoot then sends a `message_updated` for it at once, transcript
   * still empty (enterprise/app/models/enterprise/concerns/attachment.rb). Needs the echo option.
   */
  customerMessage(account: number, conversation: number, message: { content?: string | null; audio?: boolean }): StoredMessage;
  /** Captain's audio transcription finishing: `message_updated`, same id, transcribed_text filled, content null. */
  transcribe(account: number, conversation: number, messageId: number, text: string): void;
  /**
   * WhatsApp refused one of the messages (whatsapp/providers/base_service.rb#handle_error, or a failed
   * status callback): `content_attributes.external_error` set, `message_updated` sent. Needs the echo option.
   */
  failDelivery(account: number, conversation: number, messageId: number, error?: string): void;
  /** Webhooks sent back by the echo option, in order. */
  echoes: EchoRecord[];
  /** Every webhook delivery (echoes and deliver()), in order, with its attempts and outcome. */
  deliveries: DeliveryRecord[];
  /**
   * Delivers a payload to the bot as Chatwoot would (delivery.ts): resolves once delivered or failed
   * for good, with the attempts and whether Chatwoot opened the conversation.
   */
  deliver(payload: Record<string, unknown>, opts?: { deliveryId?: string }): Promise<DeliveryRecord>;
  /** Account settings that change Chatwoot's behaviour towards the bot; mutable. */
  accountSettings: { keep_pending_on_bot_failure: boolean };
  close(): Promise<void>;
}
