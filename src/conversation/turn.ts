import type { ChatwootClient } from '../chatwoot/client.js';
import { HermesError } from '../hermes/client.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import { HANDOFF_PARTS, type Store, type Turn } from '../store/store.js';
import { composeUserContent } from './compose.js';
import { logKey, type Handoff } from './handoff.js';
import { AmbiguousPostError, type Outbox } from './outbox.js';
import { splitReply } from './split.js';

/** A turn that keeps failing (crash loop, poison input) is handed to humans instead of retried forever. */
export const MAX_TURN_ATTEMPTS = 3;

export interface TurnDeps {
  store: Store;
  chatwoot: ChatwootClient;
  sessions: SessionRunner;
  outbox: Outbox;
  handoff: Handoff;
  log: Logger;
  instructions: string | undefined;
  hermesTimeoutMs: number;
}

export type TurnResult = 'delivered' | 'handed_off' | 'skipped' | 'released';

/**
 * One turn: the customer's waiting messages → one Hermes call in the conversation's session → the
 * reply posted in parts, each exactly once. The conversation it posts to is the turn's own key,
 * carried from the webhook through the store: never looked up by "latest" or "same contact".
 */
export class TurnRunner {
  constructor(private readonly deps: TurnDeps) {}

  async run(turn: Turn, signal: AbortSignal): Promise<TurnResult> {
    const { store, log } = this.deps;
    const started = Date.now();
    const ctx = { ...logKey(turn.key), inbox: turn.inboxId, turnId: turn.id, messageIds: turn.messages.map((m) => m.messageId), attempt: turn.attempt };

    const conversation = await store.getConversation(turn.key);
    if (conversation && conversation.botState !== 'active') {
      await store.finishTurn(turn.id, 'skipped', Date.now(), `bot is ${conversation.botState}: ${conversation.stateReason ?? ''}`);
      log.info({ ...ctx, botState: conversation.botState }, 'turn skipped: bot silenced for this conversation');
      return 'skipped';
    }
    if (turn.attempt > MAX_TURN_ATTEMPTS) {
      return this.fail(turn, `the turn failed ${MAX_TURN_ATTEMPTS} times (the bot restarted while answering)`, ctx, started);
    }

    let outbox = await store.getOutbox(turn.id);
    const replyParts = () => outbox.filter((p) => p.part < HANDOFF_PARTS.fallback);
    if (replyParts().length === 0) {
      const typing = this.typing(turn, true);
      try {
        const result = await this.deps.sessions.ask({
          key: turn.key,
          idempotencyKey: turn.id,
          instructions: this.deps.instructions ?? null,
          user: composeUserContent(turn.messages),
          deadline: turn.attempt > 1 ? Date.now() + this.deps.hermesTimeoutMs : started + this.deps.hermesTimeoutMs,
          signal,
        });
        const parts = splitReply(result.content);
        if (parts.length === 0) return await this.fail(turn, 'Hermes returned an empty reply', ctx, started);
        outbox = await store.planParts(turn.id, result.content, parts.map((content, part) => ({ part, content, private: false })));
        log.info({ ...ctx, sessionId: result.session.sessionId, hermesMs: Date.now() - started, parts: parts.length }, 'Hermes answered');
      } catch (error) {
        if (error instanceof HermesError && error.kind === 'aborted') {
          log.warn({ ...ctx }, 'turn released for the next process (shutting down)');
          return 'released';
        }
        return await this.fail(turn, describe(error), ctx, started);
      } finally {
        await typing;
      }
    }

    // Chatwoot may have changed hands while Hermes thought: re-check right before posting.
    const owner = await this.liveOwner(turn);
    if (owner !== 'bot') {
      await store.finishTurn(turn.id, 'skipped', Date.now(), owner);
      log.info({ ...ctx, reason: owner }, 'reply dropped: conversation no longer the bot\'s');
      void this.typing(turn, false);
      return 'skipped';
    }
    try {
      for (const part of replyParts()) await this.deps.outbox.post(turn.key, part);
    } catch (error) {
      const reason =
        error instanceof AmbiguousPostError
          ? `the bot was interrupted while posting its reply and cannot tell whether Chatwoot received it. Unconfirmed text: "${error.part.content.slice(0, 500)}"`
          : `the reply could not be posted: ${describe(error)}`;
      return this.fail(turn, reason, ctx, started);
    }
    await store.finishTurn(turn.id, 'delivered', Date.now());
    void this.typing(turn, false);
    log.info({ ...ctx, durationMs: Date.now() - started }, 'turn delivered');
    return 'delivered';
  }

  private async fail(turn: Turn, reason: string, ctx: object, started: number): Promise<TurnResult> {
    await this.deps.handoff.run({ key: turn.key, turnId: turn.id, reason, sendFallback: true });
    await this.deps.store.finishTurn(turn.id, 'handed_off', Date.now(), reason);
    void this.typing(turn, false);
    this.deps.log.warn({ ...ctx, reason, durationMs: Date.now() - started }, 'turn handed off');
    return 'handed_off';
  }

  /** 'bot' when the bot may post; otherwise why not. */
  private async liveOwner(turn: Turn): Promise<string> {
    const conversation = await this.deps.store.getConversation(turn.key);
    if (conversation && conversation.botState !== 'active') return `bot is ${conversation.botState}: ${conversation.stateReason ?? ''}`;
    try {
      const live = await this.deps.chatwoot.getConversation(turn.key);
      if (live && live.status !== 'pending') return `conversation is ${live.status} in Chatwoot`;
    } catch (error) {
      // Could not look: the store's view (checked above) stands; posting is still correct by it.
      this.deps.log.debug({ ...logKey(turn.key), err: String(error) }, 'live status check failed');
    }
    return 'bot';
  }

  /** Typing indicator, best effort: it is cosmetic (dashboard only) and must never fail a turn. */
  private async typing(turn: Turn, on: boolean): Promise<void> {
    try {
      await this.deps.chatwoot.typing(turn.key, on);
    } catch {
      /* cosmetic */
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof HermesError) return `Hermes ${error.kind}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
