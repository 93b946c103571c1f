/**
 * What an authentic webhook means for the bot, once classified (chatwoot/events.ts turns Chatwoot's
 * payloads into these): intake stores them, the rules decide on them. Plain data, no Chatwoot shapes.
 */
import type { ConversationKey } from './conversation.js';

/** A file as Chatwoot sent it (kept as sent: the turn reads the fields it knows, passes the rest on). */
export interface Attachment {
  id?: number | undefined;
  file_type?: string | undefined;
  data_url?: string | null | undefined;
  thumb_url?: string | null | undefined;
  extension?: string | null | undefined;
  content_type?: string | null | undefined;
  file_size?: number | null | undefined;
  transcribed_text?: string | null | undefined;
  fallback_title?: string | null | undefined;
  coordinates_lat?: number | null | undefined;
  coordinates_long?: number | null | undefined;
  [field: string]: unknown;
}

export interface InboundMessage {
  messageId: number;
  inboxId: number | null;
  contactId: number | null;
  /** As Chatwoot has it; cleaned (cleanContactName) before Hermes sees it. */
  contactName: string | null;
  text: string;
  attachments: Attachment[];
  createdAt: string | null;
}

/**
 * What intake stores (one transaction) and answers. Every variant carries the status the payload saw,
 * so the rules can notice a conversation leaving and re-entering `pending` (the hand-back after a
 * human takeover).
 */
export type BotEvent =
  | { kind: 'customer_message'; key: ConversationKey; status: string; message: InboundMessage; labels?: string[] }
  | { kind: 'takeover'; key: ConversationKey; status: string; inboxId: number | null; by: 'agent' | 'phone'; messageId: number; content: string }
  /** The conversation was assigned to a human agent (conversation_updated): a takeover without a message. */
  | { kind: 'takeover'; key: ConversationKey; status: string; inboxId: number | null; by: 'assignment'; assigneeId: number }
  | { kind: 'transcript'; key: ConversationKey; status: string; messageId: number; transcript: string }
  /** Chatwoot's echo of the bot's own message, a reply or (`private`) a note: the witness that a post reached it. */
  | { kind: 'bot_echo'; key: ConversationKey; status: string; messageId: number; content: string; private: boolean }
  | { kind: 'status'; key: ConversationKey; status: string; inboxId: number | null }
  /** WhatsApp refused one of the bot's messages (message_updated with external_error): the customer never got it. */
  | { kind: 'delivery_failed'; key: ConversationKey; status: string; messageId: number; error: string };

export type BotCommandName = 'pause' | 'resume' | 'reset' | 'status';

export type BotCommand = { command: BotCommandName } | { command: 'unknown'; raw: string };

/** An agent's `/bot …` command, from a private note (never from a contact: theirs are plain text). */
export type AgentCommandEvent = { kind: 'command'; key: ConversationKey; inboxId: number | null; messageId: number; command: BotCommand };

/** `ignore` events are only logged, with the reason. */
export type Classified = BotEvent | AgentCommandEvent | { kind: 'ignore'; reason: string; key?: ConversationKey; messageId?: number };
