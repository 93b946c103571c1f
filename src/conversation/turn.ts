import type { ChatwootClient } from '../chatwoot/client.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import { HermesError } from '../hermes/client.js';
import type { HermesClients } from '../hermes/clients.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import { EMPTY_REPLIES_BEFORE_HANDOFF, outsideReplyWindow, wantsHuman } from '../safety/index.js';
import { toLegacyWhatsApp } from './whatsapp-format.js';
import { type ConversationState, type OutboxPart, type SessionRecord, type Store, type Turn } from '../store/store.js';
import { HANDOFF_PARTS } from '../domain/outbox.js';
import { composeUserContent, customerText, systemMessage } from './compose.js';
import { botHistory, guardReply } from './guard.js';
import { type Handoff } from './handoff.js';
import { logKey } from '../domain/conversation.js';
import { AmbiguousPostError, type Outbox } from './outbox.js';
import type { InboxSettingsProvider } from './settings.js';
import { splitReply } from './split.js';

/** A turn that keeps failing (crash loop, poison input) is handed to humans instead of retried forever. */
export const MAX_TURN_ATTEMPTS = 3;

export interface TurnDeps {
  store: Store;
  chatwoot: ChatwootClient;
  sessions: SessionRunner;
  hermes: HermesClients;
  outbox: Outbox;
  handoff: Handoff;
  settings: InboxSettingsProvider;
  log: Logger;
  hermesTimeoutMs: number;
}

export type TurnResult = 'delivered' | 'handed_off' | 'skipped' | 'released';

type Ctx = Record<string, unknown>;

/**
 * One turn: the customer's waiting messages → one Hermes call in the conversation's session → the
 * guards → the reply posted in parts, each exactly once. The conversation it posts to is the turn's
 * own key, carried from the webhook through the store: never looked up by "latest" or "same contact".
 */
export class TurnRunner {
  constructor(private readonly deps: TurnDeps) {}

  async run(turn: Turn, signal: AbortSignal): Promise<TurnResult> {
    const { store } = this.deps;
    const started = Date.now();
    const ctx: Ctx = { ...logKey(turn.key), inbox: turn.inboxId, turnId: turn.id, messageIds: turn.messages.map((m) => m.messageId), attempt: turn.attempt };
    const settings = await this.deps.settings.forInbox(turn.inboxId);

    // Independent reads, together: every round trip to the store is latency before Hermes is asked.
    const [conversation, stored, session] = await Promise.all([store.getConversation(turn.key), store.getOutbox(turn.id), store.getSession(turn.key)]);
    let outbox = stored;
    const plannedHandoff = outbox.find((p) => p.part === HANDOFF_PARTS.note);
    if (conversation && conversation.botState !== 'active') {
      // A hand-off interrupted by a crash is finished, so the team still gets its note and the open status.
      if (plannedHandoff) return this.handOff(turn, settings, plannedHandoff.content, undefined, ctx, started);
      return this.skip(turn, `bot is ${conversation.botState}: ${conversation.stateReason ?? ''}`, ctx);
    }
    if (turn.attempt > MAX_TURN_ATTEMPTS) {
      return this.handOff(turn, settings, `the turn failed ${MAX_TURN_ATTEMPTS} times (the bot restarted while answering)`, settings.fallbackMessage, ctx, started);
    }

    // Anything planned means Hermes was already asked for this turn: deliver that, never ask twice.
    if (outbox.length === 0) {
      const decided = await this.decide(turn, conversation, session, settings, signal, ctx, started);
      if (!Array.isArray(decided)) return decided;
      outbox = decided;
    }
    return this.deliver(turn, settings, outbox, ctx, started);
  }

  /**
   * Asks Hermes (unless the customer asked for a human or WhatsApp would refuse) and plans what to
   * post: returns the turn's outbox as planned, or how the turn ended without one.
   */
  private async decide(
    turn: Turn,
    conversation: ConversationState | null,
    session: SessionRecord | null,
    settings: ResolvedInboxSettings,
    signal: AbortSignal,
    ctx: Ctx,
    started: number,
  ): Promise<TurnResult | OutboxPart[]> {
    const { store, log } = this.deps;
    const said = customerText(turn.messages);
    const asking = turn.messages.find((m) => wantsHuman(m.text, settings.handoffKeywords));
    if (asking) {
      return this.handOff(turn, settings, `the customer asked for a human: "${asking.text.slice(0, 200)}"`, settings.handoffMessage, ctx, started);
    }
    // Chatwoot's created_at is when the customer wrote; our receipt time covers a missing one.
    const newest = Math.max(...turn.messages.map((m) => (m.createdAt ? Date.parse(m.createdAt) || m.receivedAt : m.receivedAt)));
    if (outsideReplyWindow(newest, Date.now())) {
      return this.handOff(turn, settings, 'the customer\'s last message is older than 24 hours: WhatsApp refuses free text outside that window (send an approved template)', undefined, ctx, started);
    }

    const typing = this.typing(turn, true);
    // Read while Hermes thinks; a failed read fails the turn below, where it is awaited, not here.
    const history = botHistory(store, turn.key);
    history.catch(() => undefined);
    let content: string;
    try {
      const result = await this.deps.sessions.ask({
        hermes: this.deps.hermes.for(settings.hermesUrl, settings.hermesApiKey),
        key: turn.key,
        idempotencyKey: turn.id,
        session,
        instructions: systemMessage(settings.instructions, conversation?.contactName ?? null),
        user: composeUserContent(turn.messages, turn.context),
        // Long-term memory per customer across conversations, only where the inbox opted in.
        sessionKey: settings.contactMemory && conversation?.contactId ? `chatwoot-${turn.key.accountId}-contact-${conversation.contactId}` : null,
        deadline: (turn.attempt > 1 ? Date.now() : started) + this.deps.hermesTimeoutMs,
        signal,
      });
      content = result.content;
      log.info({ ...ctx, sessionId: result.session.sessionId, hermesMs: Date.now() - started }, 'Hermes answered');
    } catch (error) {
      if (error instanceof HermesError && error.kind === 'aborted') {
        log.warn(ctx, 'turn released for the next process (shutting down)');
        return 'released';
      }
      return this.handOff(turn, settings, describe(error), settings.fallbackMessage, ctx, started);
    } finally {
      await typing;
    }

    const verdict = guardReply(content, await history, said, settings);
    if (verdict.action === 'block') {
      const excerpt = content.trim().slice(0, 1000);
      const what = `Blocked a reply from Hermes (${verdict.kind}): ${verdict.reason}.${excerpt ? `\n---\n${excerpt}` : ''}`;
      if (verdict.kind === 'empty' && !verdict.handoff) {
        const streak = await store.bumpEmptyStreak(turn.key);
        if (streak >= EMPTY_REPLIES_BEFORE_HANDOFF) {
          return this.handOff(turn, settings, `Hermes returned ${streak} empty replies in a row`, settings.fallbackMessage, ctx, started);
        }
      }
      if (verdict.handoff) return this.handOff(turn, settings, what, settings.fallbackMessage, ctx, started);
      const planned = await store.planParts(turn.id, content, [{ part: HANDOFF_PARTS.blocked, content: `🤖 ${what}`, private: true }]);
      log.warn({ ...ctx, kind: verdict.kind, reason: verdict.reason }, 'reply blocked');
      return planned;
    }

    const text = settings.legacyWhatsAppFormat ? toLegacyWhatsApp(verdict.text) : verdict.text;
    const planned = await store.planParts(turn.id, content, splitReply(text).map((part, i) => ({ part: i, content: part, private: false })));
    if (!verdict.handoff) return planned;
    // A reply with the hand-off marker: deliver it, then hand off. Planned now so a crash in between still does.
    await this.deps.handoff.plan({ key: turn.key, turnId: turn.id, reason: `Hermes asked for a human (${verdict.handoff.reason})`, customerMessage: undefined, settings });
    return store.getOutbox(turn.id);
  }

  /** Posts what the outbox holds, after a last check that the conversation is still the bot's. */
  private async deliver(turn: Turn, settings: ResolvedInboxSettings, outbox: OutboxPart[], ctx: Ctx, started: number): Promise<TurnResult> {
    const { store, log } = this.deps;
    const owner = await this.liveOwner(turn, settings.botOffLabel);
    if (owner !== 'bot') return this.skip(turn, owner, ctx);
    try {
      for (const part of outbox.filter((p) => isReplyPart(p) || p.part === HANDOFF_PARTS.blocked)) await this.deps.outbox.post(turn.key, part);
    } catch (error) {
      const reason =
        error instanceof AmbiguousPostError
          ? `the bot was interrupted while posting its reply and cannot tell whether Chatwoot received it. Please check; unconfirmed text: "${error.part.content.slice(0, 500)}"`
          : `the reply could not be posted: ${describe(error)}`;
      return this.handOff(turn, settings, reason, settings.fallbackMessage, ctx, started);
    }
    const note = outbox.find((p) => p.part === HANDOFF_PARTS.note);
    if (note) {
      await this.deps.handoff.run({ key: turn.key, turnId: turn.id, reason: note.content, customerMessage: undefined, settings });
      await store.finishTurn(turn.id, 'handed_off', Date.now(), 'hand-off requested');
      void this.typing(turn, false);
      return 'handed_off';
    }
    const delivered = outbox.some(isReplyPart);
    await store.finishTurn(turn.id, delivered ? 'delivered' : 'skipped', Date.now(), delivered ? undefined : 'reply blocked');
    void this.typing(turn, false);
    log.info({ ...ctx, parts: outbox.filter(isReplyPart).length, durationMs: Date.now() - started }, delivered ? 'turn delivered' : 'turn ended without a reply');
    return delivered ? 'delivered' : 'skipped';
  }

  private async handOff(turn: Turn, settings: ResolvedInboxSettings, reason: string, customerMessage: string | undefined, ctx: Ctx, started: number): Promise<TurnResult> {
    await this.deps.handoff.run({ key: turn.key, turnId: turn.id, reason, customerMessage, settings });
    await this.deps.store.finishTurn(turn.id, 'handed_off', Date.now(), reason);
    void this.typing(turn, false);
    this.deps.log.warn({ ...ctx, reason, durationMs: Date.now() - started }, 'turn handed off');
    return 'handed_off';
  }

  private async skip(turn: Turn, reason: string, ctx: Ctx): Promise<TurnResult> {
    await this.deps.store.finishTurn(turn.id, 'skipped', Date.now(), reason);
    void this.typing(turn, false);
    this.deps.log.info({ ...ctx, reason }, 'turn skipped: the conversation is not the bot\'s');
    return 'skipped';
  }

  /**
   * 'bot' when the bot may post; otherwise why not. Chatwoot may have changed hands while Hermes thought.
   * Chatwoot before 4.14.2 does not let a bot read a conversation (the client then answers null): the
   * last status Chatwoot sent us stands in for the live one, and a `bot-off` label added meanwhile is
   * only seen with the customer's next message (its webhook carries the labels).
   */
  private async liveOwner(turn: Turn, botOffLabel: string): Promise<string> {
    // Both views at once (the store's answer decides first; Chatwoot's is read in parallel, not after).
    const [conversation, live] = await Promise.all([
      this.deps.store.getConversation(turn.key),
      this.deps.chatwoot.getConversation(turn.key).catch((error: unknown) => {
        // Could not look: the store's view stands.
        this.deps.log.debug({ ...logKey(turn.key), err: String(error) }, 'live status check failed');
        return null;
      }),
    ]);
    if (conversation && conversation.botState !== 'active') return `bot is ${conversation.botState}: ${conversation.stateReason ?? ''}`;
    if (live) {
      if (live.status !== 'pending') return `conversation is ${live.status} in Chatwoot`;
      if (live.labels.includes(botOffLabel)) return `conversation has the label ${botOffLabel}`;
    } else if (conversation?.lastStatus && conversation.lastStatus !== 'pending') {
      return `conversation is ${conversation.lastStatus} (the last status Chatwoot sent; it could not be read live)`;
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

function isReplyPart(p: OutboxPart): boolean {
  return p.part < HANDOFF_PARTS.fallback;
}

function describe(error: unknown): string {
  if (error instanceof HermesError) return `Hermes ${error.kind.replace('_', ' ')}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
