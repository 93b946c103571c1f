import type { BotState, ConversationKey, ConversationState } from '../domain/conversation.js';
import type { AcceptResult, DebouncePolicy, StoredEvent } from '../domain/intake.js';
import type { OutboxPart, PartRef, PartStateChange } from '../domain/outbox.js';
import type { SessionMode, SessionRecord } from '../domain/session.js';
import type { Turn, TurnOutcome } from '../domain/turn.js';
import type { ErasedCounts, ForgetPass } from '../domain/privacy.js';
import type { PanelRows } from '../domain/panel.js';

// The vocabulary the store speaks lives in src/domain/; re-exported for the store's consumers.
export type { PanelRows };
export type { AcceptResult, BotState, ConversationState, DebouncePolicy, OutboxPart, PartRef, PartStateChange, SessionMode, SessionRecord, StoredEvent, Turn, TurnOutcome };
export type { TurnMessage } from '../domain/turn.js';
export type { ErasedCounts, ForgetPass } from '../domain/privacy.js';

/**
 * The bot's durable memory, by role: each consumer takes the roles it uses (intake the EventStore,
 * the turn the ConversationStore and OutboxStore…). Two implementations (SQLite, the embedded default;
 * Postgres for many instances) pass the same contract tests (test/store/). Every method is one
 * transaction.
 */
export interface Store extends EventStore, TurnQueue, ConversationStore, OutboxStore, SessionStore, InboxSettingsStore, PrivacyStore, PanelStore, StoreLifecycle {
  readonly kind: 'sqlite' | 'postgres';
}

/** What intake writes: every authentic event, once (Chatwoot retries and redelivers). */
export interface EventStore {
  /** Records an authentic event. Resolves only once it is durable; rejects when the store cannot write. */
  accept(event: StoredEvent, policy: DebouncePolicy, now: number): Promise<AcceptResult>;
}

/** What the schedulers read: which conversations have work, and the work itself. */
export interface TurnQueue {
  /** Conversations with work waiting (messages not yet in a turn, or a turn left unfinished by a dead process). */
  listDue(): Promise<Array<{ key: ConversationKey; dueAt: number }>>;
  /**
   * Returns the conversation's unfinished turn if there is one (recovery after a crash or a drain),
   * else gathers every pending customer message into a new turn, if the debounce time has come.
   * `null` with `nextDueAt` when nothing is due yet (or nothing waits: nextDueAt null).
   */
  takeTurn(key: ConversationKey, now: number): Promise<{ turn: Turn } | { turn: null; nextDueAt: number | null }>;
}

/** Who speaks in a conversation, and what the bot remembers of it. */
export interface ConversationStore {
  getConversation(key: ConversationKey): Promise<ConversationState | null>;
  /**
   * Sets who speaks in a conversation. `human` and `handed_off` end by themselves once the conversation
   * has left `pending` and come back; `paused` (agent command) only by `active` again.
   */
  setBotState(key: ConversationKey, state: BotState, reason: string, now: number): Promise<void>;
  /** Counts an empty Hermes reply in a row (reset by a delivered turn); returns the streak. */
  bumpEmptyStreak(key: ConversationKey): Promise<number>;
  /** What the bot itself sent to the customer in this conversation, oldest first (a bot token cannot list messages). */
  recentBotReplies(key: ConversationKey, limit: number): Promise<string[]>;
  /** The conversation's latest turn, for `/bot status`. */
  lastTurn(key: ConversationKey): Promise<{ id: string; state: string; error: string | null; createdAt: number; finishedAt: number | null } | null>;
}

/** What a turn posts, each part exactly once, and how the turn ended. */
export interface OutboxStore {
  /**
   * Records what a turn will post, before anything is posted: Hermes' answer split into parts 0..n,
   * or a hand-off's fallback message and note (parts numbered from HANDOFF_PARTS). Parts already
   * planned are kept as they are; `reply` (when not null) is stored on the turn.
   */
  planParts(turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): Promise<OutboxPart[]>;
  /**
   * Moves a part along planned → posting → posted (or → failed when Chatwoot answered with an error,
   * so it provably has no copy). A part left in `posting` by a crash is ambiguous and is never
   * silently posted again. A `posted` part never goes back, and `posting` is taken only from `planned`
   * or `failed` (compare-and-set): two workers that both think they own a turn cannot both post a part.
   * Resolves true when the part moved.
   */
  setPartState(part: PartRef, change: PartStateChange): Promise<boolean>;
  getOutbox(turnId: string): Promise<OutboxPart[]>;
  /** Ends a turn: its messages become answered (delivered) or failed (handed_off); the session's turn count grows. */
  finishTurn(turnId: string, outcome: TurnOutcome, now: number, error?: string): Promise<void>;
  /** How long Hermes took to answer this turn (the bot panel shows the last few). */
  recordHermesLatency(turnId: string, ms: number): Promise<void>;
}

/** Each conversation's Hermes session. */
export interface SessionStore {
  getSession(key: ConversationKey): Promise<SessionRecord | null>;
  /** Creates or replaces the conversation's Hermes session mapping. */
  saveSession(key: ConversationKey, session: { sessionId: string; mode: SessionMode; generation: number }, now: number): Promise<SessionRecord>;
  listSessions(filter?: Partial<ConversationKey>): Promise<SessionRecord[]>;
}

/** Per-inbox overrides of the configuration (validated on read, config/inbox-settings.ts). */
export interface InboxSettingsStore {
  getInboxSettings(inboxId: number): Promise<Record<string, unknown> | null>;
  saveInboxSettings(inboxId: number, settings: Record<string, unknown>, now: number): Promise<void>;
  listInboxSettings(): Promise<Array<{ inboxId: number; settings: Record<string, unknown> }>>;
}

/**
 * Customers' personal data: retention and erasure on request (README "Data the bot keeps"). Texts
 * are blanked in place; rows and ids stay, because deduplication (a redelivered message is known by
 * its id) and the outbox's exactly-once rule (turn and part) need them.
 */
export interface PrivacyStore {
  /**
   * Retention (the prune cycle, RETENTION_DAYS): blanks the texts stored before `cutoff` that no
   * unfinished turn needs — messages, replies, errors, outbox texts, idle conversations' contact name
   * and state reason. Running it again erases nothing more.
   */
  eraseTextsBefore(cutoff: number): Promise<ErasedCounts>;
  /** The conversations the store holds of a Chatwoot contact (customer messages carry its id). */
  conversationsOfContact(contactId: number): Promise<ConversationKey[]>;
  /**
   * `forget`: marks the conversation forgotten (from then on its events are ignored, its outbox refuses
   * to post, a turn in flight plans nothing) and blanks all its texts. With `stopTurns` it also ends
   * the turns still running (a bot that died mid-turn); without, it reports them, so the caller can
   * wait for the bot running them and erase once more. Null when the store holds nothing of it.
   */
  forgetConversation(key: ConversationKey, opts: { now: number; stopTurns: boolean }): Promise<ForgetPass | null>;
}

/** The bot panel (src/dashboard/): what it shows of a conversation, its hand-off button, each account's key. */
export interface PanelStore {
  /** The conversation's bot state, waiting messages, session, latest `turns` turns and last hand-off or blocked reply. */
  panelView(key: ConversationKey, turns: number): Promise<PanelRows>;
  /**
   * Plans a hand-off now (rules/handoff-now.ts): the bot stops answering at once, and a turn due now
   * carries the team's note; the scheduler runs it through the one hand-off path.
   */
  handOffNow(key: ConversationKey, reason: string, now: number): Promise<{ turnId: string }>;
  /** The SHA-256 digest (hex) of the account's panel key, or null when `install` has not made one. */
  getDashboardKeyHash(accountId: number): Promise<string | null>;
  /** Replaces the account's panel key digest (install, `dashboard-key rotate`). */
  saveDashboardKeyHash(accountId: number, keyHash: string, now: number): Promise<void>;
}

/** Health, housekeeping, shutdown. */
export interface StoreLifecycle {
  /** Health: resolves when the store can be read and written. */
  ping(): Promise<void>;
  /** Forgets delivery ids older than the cutoff (Chatwoot retries within seconds; a week is generous). */
  prune(olderThan: number): Promise<number>;
  close(): Promise<void>;
}

