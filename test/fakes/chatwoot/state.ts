/** In-memory state of the fake Chatwoot: conversations, posted messages, agent bots and inboxes. */
import { randomBytes } from 'node:crypto';
import { TeamDirectory } from './teams.js';
import type { AgentBotRecord, ConversationState, InboxRecord, StoredMessage } from './types.js';

export const ACCOUNT_NAME = 'Acme Ltda';

/** Chatwoot tokens are 24 url-safe characters (has_secure_token). */
export function secureToken(): string {
  return randomBytes(18).toString('base64url');
}

export class ChatwootState {
  readonly conversations = new Map<string, ConversationState>();
  readonly messagesByConversation = new Map<string, StoredMessage[]>();
  readonly agentBots = new Map<number, AgentBotRecord>();
  readonly inboxes = new Map<number, InboxRecord>();
  private nextMessageId = 90000;
  private nextBotId = 100;

  constructor(
    private readonly defaultInboxId: number,
    /** The accounts' teams (Current.account.teams in assignments_controller#set_team). */
    readonly teams: TeamDirectory = new TeamDirectory(),
  ) {}

  /** Conversations come into being on first reference, `pending` like a new one in a bot inbox. */
  conversation(accountId: number, id: number): ConversationState {
    const key = `${accountId}:${id}`;
    let conv = this.conversations.get(key);
    if (!conv) {
      conv = {
        accountId,
        id,
        inboxId: this.defaultInboxId,
        status: 'pending',
        labels: [],
        typing: null,
        typingEvents: [],
        teamId: null,
        assigneeId: null,
        assigneeType: null,
        customAttributes: {},
        priority: null,
        snoozedUntil: null,
        contact: { id: 10000 + id, name: `Cliente ${id}`, phoneNumber: `+55119${String(id).padStart(8, '0')}` },
        history: [],
        activities: [],
        missing: false,
      };
      this.conversations.set(key, conv);
    }
    return conv;
  }

  messages(accountId: number, id: number): StoredMessage[] {
    const key = `${accountId}:${id}`;
    let list = this.messagesByConversation.get(key);
    if (!list) {
      list = [];
      this.messagesByConversation.set(key, list);
    }
    return list;
  }

  addMessage(conv: ConversationState, message: Omit<StoredMessage, 'id' | 'at'>): StoredMessage {
    const stored: StoredMessage = { ...message, id: this.nextMessageId++, at: Date.now() };
    this.messages(conv.accountId, conv.id).push(stored);
    return stored;
  }

  /** The last public message: what Chatwoot puts in `conversation.messages[0]`. */
  lastPublicMessage(conv: ConversationState): StoredMessage | undefined {
    return this.messages(conv.accountId, conv.id).filter((m) => !m.private).at(-1);
  }

  inboxName(inboxId: number): string {
    return this.inboxes.get(inboxId)?.name ?? (inboxId === 7 ? 'WhatsApp Vendas' : `Inbox ${inboxId}`);
  }

  channelType(inboxId: number): string {
    return this.inboxes.get(inboxId)?.channel_type ?? 'Channel::Whatsapp';
  }

  addInbox(inbox: { id: number; name: string; channel_type: string; accountId?: number; agentBotId?: number | null }, accountId: number): InboxRecord {
    const record: InboxRecord = {
      id: inbox.id,
      accountId: inbox.accountId ?? accountId,
      name: inbox.name,
      channel_type: inbox.channel_type,
      agentBotId: inbox.agentBotId ?? null,
    };
    this.inboxes.set(record.id, record);
    return record;
  }

  addAgentBot(bot: Partial<AgentBotRecord> & { name: string }, accountId: number): AgentBotRecord {
    const id = bot.id ?? this.nextBotId++;
    if (id >= this.nextBotId) this.nextBotId = id + 1;
    const record: AgentBotRecord = {
      id,
      accountId: bot.accountId ?? accountId,
      name: bot.name,
      description: bot.description ?? '',
      outgoingUrl: bot.outgoingUrl ?? '',
      botConfig: bot.botConfig ?? {},
      accessToken: bot.accessToken ?? secureToken(),
      secret: bot.secret ?? secureToken(),
    };
    this.agentBots.set(id, record);
    return record;
  }

  deleteAgentBot(id: number): void {
    this.agentBots.delete(id);
    // Destroying a bot destroys its AgentBotInbox rows.
    for (const inbox of this.inboxes.values()) if (inbox.agentBotId === id) inbox.agentBotId = null;
  }

  botByToken(token: string): AgentBotRecord | undefined {
    for (const bot of this.agentBots.values()) if (bot.accessToken === token) return bot;
    return undefined;
  }
}
