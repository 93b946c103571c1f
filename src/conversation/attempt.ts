import type { ChatwootClient } from '../chatwoot/client.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import { logKey } from '../domain/conversation.js';
import type { HandoffKind } from '../domain/handoff.js';
import type { Logger } from '../logger.js';
import type { Store, Turn } from '../store/store.js';
import type { Handoff } from './handoff.js';

export type TurnResult = 'delivered' | 'handed_off' | 'skipped' | 'released';

/**
 * Why a turn hands off, three ways: `kind` for the metrics (a fixed set), `note` for the team's private
 * note (may quote the customer or Hermes; it stays in Chatwoot), `log` for the log (kinds and reasons
 * only: logs travel to drains and third parties, and customers give ID numbers in the same sentence as
 * "atendente").
 */
export interface HandoffWhy {
  kind: HandoffKind;
  note: string;
  log: string;
}

export interface AttemptDeps {
  store: Pick<Store, 'finishTurn'>;
  chatwoot: Pick<ChatwootClient, 'typing'>;
  handoff: Pick<Handoff, 'run'>;
  log: Logger;
}

export interface AttemptStart {
  turn: Turn;
  /** The turn's inbox settings, read once per attempt (so one attempt never mixes two versions). */
  settings: ResolvedInboxSettings;
  /** Aborted when the process shuts down: the turn is then released for the next process. */
  signal: AbortSignal;
  /** When the attempt began (epoch ms): Hermes' deadline and the logged durations count from here. */
  started: number;
}

/**
 * One attempt at a turn: what every step of it needs (the turn, its settings, its log fields, its
 * start, its signal) in one object, and the ways an attempt ends — delivered, skipped, handed off —
 * each of which records the outcome, stops the typing indicator and logs once.
 */
export class TurnAttempt {
  readonly turn: Turn;
  readonly settings: ResolvedInboxSettings;
  readonly signal: AbortSignal;
  readonly started: number;
  /** Who and what this attempt is about, for every log line (ids only, never message content). */
  readonly logFields: Record<string, unknown>;

  constructor(
    private readonly deps: AttemptDeps,
    start: AttemptStart,
  ) {
    const { turn } = start;
    this.turn = turn;
    this.settings = start.settings;
    this.signal = start.signal;
    this.started = start.started;
    this.logFields = { ...logKey(turn.key), inbox: turn.inboxId, turnId: turn.id, messageIds: turn.messages.map((m) => m.messageId), attempt: turn.attempt };
  }

  /** Hands the conversation to humans (handoff.ts: the one path) and ends the turn there. */
  async handOff(why: HandoffWhy, customerMessage: string | undefined): Promise<TurnResult> {
    await this.deps.handoff.run({ key: this.turn.key, turnId: this.turn.id, reason: why.note, logReason: why.log, kind: why.kind, customerMessage, settings: this.settings });
    await this.deps.store.finishTurn(this.turn.id, 'handed_off', Date.now(), why.note);
    void this.typing(false);
    this.deps.log.warn({ ...this.logFields, reason: why.log, durationMs: this.elapsed() }, 'turn handed off');
    return 'handed_off';
  }

  /**
   * Ends a turn whose reply carried Hermes' hand-off request: the note was planned with the reply (so
   * a crash in between still hands off), and is the reason the team reads.
   */
  async handOffAsPlanned(note: string): Promise<TurnResult> {
    const logReason = 'Hermes asked for a human (the hand-off was planned with its reply)';
    await this.deps.handoff.run({ key: this.turn.key, turnId: this.turn.id, reason: note, logReason, kind: 'hermes_asked', customerMessage: undefined, settings: this.settings });
    await this.deps.store.finishTurn(this.turn.id, 'handed_off', Date.now(), 'hand-off requested');
    void this.typing(false);
    return 'handed_off';
  }

  /** The conversation is not the bot's (any more): nothing is posted. */
  async skip(reason: string): Promise<TurnResult> {
    await this.deps.store.finishTurn(this.turn.id, 'skipped', Date.now(), reason);
    void this.typing(false);
    this.deps.log.info({ ...this.logFields, reason }, "turn skipped: the conversation is not the bot's");
    return 'skipped';
  }

  /** The outbox was posted: `replyParts` of Hermes' reply (none when the reply was blocked). */
  async finishDelivery(replyParts: number): Promise<TurnResult> {
    const delivered = replyParts > 0;
    await this.deps.store.finishTurn(this.turn.id, delivered ? 'delivered' : 'skipped', Date.now(), delivered ? undefined : 'reply blocked');
    void this.typing(false);
    this.deps.log.info({ ...this.logFields, parts: replyParts, durationMs: this.elapsed() }, delivered ? 'turn delivered' : 'turn ended without a reply');
    return delivered ? 'delivered' : 'skipped';
  }

  /** Shutting down while Hermes thought: the turn is left, untouched, to the next process. */
  release(): TurnResult {
    this.deps.log.warn(this.logFields, 'turn released for the next process (shutting down)');
    return 'released';
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  /** Typing indicator, best effort: it is cosmetic (dashboard only) and must never fail a turn. */
  async typing(on: boolean): Promise<void> {
    try {
      await this.deps.chatwoot.typing(this.turn.key, on);
    } catch {
      /* cosmetic */
    }
  }
}
