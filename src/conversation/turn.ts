import type { ChatwootClient } from '../chatwoot/client.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import { HANDOFF_PARTS, isReplyPart } from '../domain/outbox.js';
import { plannedHandoffKind } from '../domain/turn.js';
import { HermesError } from '../hermes/client.js';
import type { HermesClients } from '../hermes/clients.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { checkInput, type InputVerdict } from '../safety/index.js';
import type { ConversationState, OutboxPart, SessionRecord, Store, Turn } from '../store/store.js';
import { TurnAttempt, type HandoffWhy, type TurnResult } from './attempt.js';
import { composeUserContent, customerText, systemMessage } from './compose.js';
import { botHistory, guardReply } from './guard.js';
import type { Handoff } from './handoff.js';
import { liveOwner } from './live-owner.js';
import { AmbiguousPostError, type Outbox } from './outbox.js';
import { planReply } from './plan-reply.js';
import type { InboxSettingsProvider } from './settings.js';
import { errorForLog } from '../util/error-for-log.js';

export { MAX_TURN_ATTEMPTS } from '../safety/index.js';
export type { TurnResult } from './attempt.js';

export interface TurnDeps {
  store: Pick<Store, 'getConversation' | 'getOutbox' | 'getSession' | 'recentBotReplies' | 'bumpEmptyStreak' | 'planParts' | 'finishTurn' | 'recordHermesLatency'>;
  chatwoot: Pick<ChatwootClient, 'getConversation' | 'typing'>;
  sessions: Pick<SessionRunner, 'ask'>;
  hermes: Pick<HermesClients, 'for'>;
  outbox: Pick<Outbox, 'post'>;
  handoff: Pick<Handoff, 'plan' | 'run'>;
  settings: Pick<InboxSettingsProvider, 'forInbox'>;
  log: Logger;
  hermesTimeoutMs: number;
  metrics?: Pick<BotMetrics, 'replyBlocked'> | undefined;
  /** Turn admission (scheduler/admission.ts): the Hermes call runs outside its slot. */
  admission?: { outside<T>(wait: () => Promise<T>): Promise<T> };
}

/**
 * One turn: the customer's waiting messages → the input checks → one Hermes call in the
 * conversation's session → the reply checks → the reply posted in parts, each exactly once. The
 * conversation it posts to is the turn's own key, carried from the webhook through the store: never
 * looked up by "latest" or "same contact".
 */
export class TurnRunner {
  constructor(private readonly deps: TurnDeps) {}

  async run(turn: Turn, signal: AbortSignal): Promise<TurnResult> {
    const { store } = this.deps;
    const started = Date.now();
    const settings = await this.deps.settings.forInbox(turn.inboxId);
    const attempt = new TurnAttempt(this.deps, { turn, settings, signal, started });

    // Independent reads, together: every round trip to the store is latency before Hermes is asked.
    const [conversation, planned, session] = await Promise.all([store.getConversation(turn.key), store.getOutbox(turn.id), store.getSession(turn.key)]);
    if (conversation && conversation.botState !== 'active') {
      // A hand-off interrupted by a crash is finished, so the team still gets its note and the open status.
      const plannedHandoff = planned.find((p) => p.part === HANDOFF_PARTS.note);
      // A failed WhatsApp delivery and the panel's "hand off now" plan such a turn (rules/turn-id.ts names the cause).
      const kind = plannedHandoffKind(turn.id);
      if (plannedHandoff) return attempt.handOff({ kind, note: plannedHandoff.content, log: `a planned hand-off (${kind})` }, undefined);
      // The state's reason stays out of the log: a hand-off's reason may quote the customer.
      return attempt.skip(`bot is ${conversation.botState}`);
    }
    const refused = checkInput(turn.messages, { attempt: turn.attempt, now: Date.now(), handoffKeywords: settings.handoffKeywords, replyPlanned: planned.length > 0 });
    if (refused) return attempt.handOff({ kind: refused.kind, note: refused.reason, log: refused.logReason }, customerMessage(refused, settings));

    // Anything planned means Hermes was already asked for this turn: deliver that, never ask twice.
    const outbox = planned.length > 0 ? planned : await this.decide(attempt, conversation, session);
    if (!Array.isArray(outbox)) return outbox;
    return this.deliver(attempt, outbox);
  }

  /** Asks Hermes and plans what to post: returns the turn's outbox as planned, or how the turn ended without one. */
  private async decide(attempt: TurnAttempt, conversation: ConversationState | null, session: SessionRecord | null): Promise<TurnResult | OutboxPart[]> {
    const { turn, settings } = attempt;
    const typing = attempt.typing(true);
    // Read while Hermes thinks; a failed read fails the turn below, where it is awaited, not here.
    const history = botHistory(this.deps.store, turn.key);
    history.catch(() => undefined);
    let content: string;
    try {
      const ask = () => this.ask(attempt, conversation, session);
      content = await (this.deps.admission ? this.deps.admission.outside(ask) : ask());
    } catch (error) {
      if (error instanceof HermesError && error.kind === 'aborted') return attempt.release();
      return attempt.handOff({ kind: 'hermes_failed', note: describe(error), log: `Hermes failed: ${errorForLog(error)}` }, settings.fallbackMessage);
    } finally {
      await typing;
    }
    const verdict = guardReply(content, await history, customerText(turn.messages), settings);
    return planReply(this.deps, attempt, { content, verdict });
  }

  /** One Hermes call in the conversation's session; its answer's text. */
  private async ask(attempt: TurnAttempt, conversation: ConversationState | null, session: SessionRecord | null): Promise<string> {
    const { turn, settings } = attempt;
    const asked = Date.now();
    const result = await this.deps.sessions.ask({
      hermes: this.deps.hermes.for(settings.hermesUrl, settings.hermesApiKey),
      key: turn.key,
      idempotencyKey: turn.id,
      session,
      instructions: systemMessage(settings.instructions, conversation?.contactName ?? null),
      user: composeUserContent(turn.messages, turn.context),
      // Long-term memory per customer across conversations, only where the inbox opted in.
      sessionKey: settings.contactMemory && conversation?.contactId ? `chatwoot-${turn.key.accountId}-contact-${conversation.contactId}` : null,
      deadline: (turn.attempt > 1 ? Date.now() : attempt.started) + this.deps.hermesTimeoutMs,
      signal: attempt.signal,
    });
    const hermesMs = Date.now() - asked;
    this.deps.log.info({ ...attempt.logFields, sessionId: result.session.sessionId, hermesMs }, 'Hermes answered');
    // For the bot panel only: a failed write must not cost the customer the reply.
    void this.deps.store.recordHermesLatency(turn.id, hermesMs).catch((error) => this.deps.log.warn({ ...attempt.logFields, err: String(error) }, 'could not record the Hermes latency'));
    return result.content;
  }

  /** Posts what the outbox holds, after a last check that the conversation is still the bot's. */
  private async deliver(attempt: TurnAttempt, outbox: OutboxPart[]): Promise<TurnResult> {
    const { turn, settings } = attempt;
    const owner = await liveOwner(this.deps, turn.key, settings.botOffLabel);
    if (owner !== 'bot') return attempt.skip(owner);
    try {
      for (const part of outbox.filter((p) => isReplyPart(p) || p.part === HANDOFF_PARTS.blocked)) await this.deps.outbox.post(turn.key, part);
    } catch (error) {
      const why: HandoffWhy =
        error instanceof AmbiguousPostError
          ? {
              kind: 'post_unconfirmed',
              note: `the bot was interrupted while posting its reply and cannot tell whether Chatwoot received it. Please check; unconfirmed text: "${error.part.content.slice(0, 500)}"`,
              log: `a post was interrupted and is unconfirmed (part ${error.part.part})`,
            }
          : { kind: 'post_failed', note: `the reply could not be posted: ${describe(error)}`, log: `the reply could not be posted: ${errorForLog(error)}` };
      return attempt.handOff(why, settings.fallbackMessage);
    }
    const note = outbox.find((p) => p.part === HANDOFF_PARTS.note);
    if (note) return attempt.handOffAsPlanned(note.content);
    return attempt.finishDelivery(outbox.filter(isReplyPart).length);
  }
}

/** Which configured message the customer gets when an input check hands the conversation off. */
function customerMessage(refused: InputVerdict, settings: ResolvedInboxSettings): string | undefined {
  if (refused.say === 'fallback') return settings.fallbackMessage;
  if (refused.say === 'handoff_message') return settings.handoffMessage;
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof HermesError) return `Hermes ${error.kind.replace('_', ' ')}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
