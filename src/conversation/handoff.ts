import { BOT_RIGHTS_SINCE, refusedToBots } from '../chatwoot/bot-rights.js';
import type { ChatwootClient } from '../chatwoot/client.js';
import { logKey, type ConversationKey } from '../domain/conversation.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import type { HandoffKind } from '../domain/handoff.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { type Store } from '../store/store.js';
import { HANDOFF_PARTS, HANDOFF_NOTE_PREFIX, partKind } from '../domain/outbox.js';
import { ChatwootError } from '../chatwoot/errors.js';
import { errorForLog } from '../util/error-for-log.js';
import type { Outbox } from './outbox.js';

/**
 * Everything a hand-off needs, from any caller (a turn today; later an event that hands off without
 * a running turn): nothing here depends on how the caller got there.
 */
export interface HandoffRequest {
  key: ConversationKey;
  /**
   * Whose outbox holds the hand-off's messages: they are planned there before anything is posted,
   * so a crash in between still hands off once, and a second run posts nothing twice.
   */
  turnId: string;
  /** For the team, in a private note (may quote the customer or Hermes). Never shown to the customer. */
  reason: string;
  /** The reason as a kind, for the metrics (never free text). */
  kind: HandoffKind;
  /**
   * For the log: ids, kinds and reasons only (the log travels to drains and third parties; the note
   * stays in Chatwoot). Never the customer's words, a reply or a name.
   */
  logReason: string;
  /** Said to the customer before the conversation is opened (fallback or hand-off message), if any. */
  customerMessage: string | undefined;
  settings: Pick<ResolvedInboxSettings, 'handoffLabel' | 'handoffTeamId'>;
}

export function labelRefusedNote(label: string): string {
  return `The label "${label}" could not be set: this Chatwoot lets bots neither read nor write labels before version ${BOT_RIGHTS_SINCE}.`;
}

export interface HandoffDeps {
  store: Pick<Store, 'setBotState' | 'planParts' | 'getOutbox'>;
  chatwoot: Pick<ChatwootClient, 'getLabels' | 'addLabels' | 'setLabels' | 'assignTeam' | 'toggleStatus'>;
  outbox: Pick<Outbox, 'post'>;
  log: Logger;
  metrics?: Pick<BotMetrics, 'handoff'> | undefined;
}

/** Whether the bot may label the conversation; with the labels it read when it may (for the merge). */
type LabelRight = { right: 'allowed'; current: string[] } | { right: 'refused' } | { right: 'unknown' };

/**
 * Hands a conversation to humans — the one path every hand-off takes (failure, guard, marker,
 * keyword, 24-hour window), so the team always sees why: the customer gets a configured message
 * (never an error text), the team a private note with the reason, the conversation the hand-off
 * label (merged: Chatwoot replaces the whole set), optionally a team, and status `open`.
 * The bot stays silent there until the conversation has left `pending` and come back.
 * Each Chatwoot step is best effort: a failing note must not keep the conversation from opening.
 * What failed for a passing reason (Chatwoot down or overloaded) is not given up, though: the hand-off
 * then throws HandoffIncompleteError and the turn runs again later (chaos suite, "Chatwoot down").
 *
 * Chatwoot before 4.14.2 lets no bot read or write labels (see bot-rights.ts): the label is then left
 * out, and the note says so, so a team that filters on the label knows why this one lacks it. Whether
 * labels work is read (GET labels, harmless) before the note is planned, because a planned note is
 * never rewritten.
 */
export class Handoff {
  constructor(private readonly deps: HandoffDeps) {}

  /**
   * Records the hand-off's messages in the outbox first, so a crash in between still hands off once.
   * Answers whether the bot may label the conversation (read now, for the note).
   */
  async plan(req: Omit<HandoffRequest, 'settings' | 'kind' | 'logReason'> & { settings: Pick<ResolvedInboxSettings, 'handoffLabel'> }): Promise<LabelRight> {
    const labels = await this.labelRight(req.key);
    let note = req.reason.startsWith(HANDOFF_NOTE_PREFIX) ? req.reason : `${HANDOFF_NOTE_PREFIX}${req.reason}`;
    if (labels.right === 'refused') note += `\n\n${labelRefusedNote(req.settings.handoffLabel)}`;
    const parts: Array<{ part: number; content: string; private: boolean }> = [{ part: HANDOFF_PARTS.note, content: note, private: true }];
    if (req.customerMessage) parts.unshift({ part: HANDOFF_PARTS.fallback, content: req.customerMessage, private: false });
    await this.deps.store.planParts(req.turnId, null, parts);
    return labels;
  }

  async run(req: HandoffRequest): Promise<void> {
    const { store, chatwoot, outbox, log } = this.deps;
    const ctx = { ...logKey(req.key), turnId: req.turnId };
    await store.setBotState(req.key, 'handed_off', req.reason, Date.now());
    const labels = await this.plan(req);
    const planned = await store.getOutbox(req.turnId);
    // What did not reach Chatwoot for a passing reason (it was down, overloaded): the hand-off is then
    // tried again later, as the turn is (a resumed turn of a handed-off conversation finishes its hand-off).
    const missing: string[] = [];
    for (const part of planned.filter((p) => p.part === HANDOFF_PARTS.fallback || p.part === HANDOFF_PARTS.note)) {
      try {
        await outbox.post(req.key, part);
      } catch (error) {
        log.error({ ...ctx, part: part.part, err: errorForLog(error) }, 'hand-off message could not be posted');
        if (passing(error)) missing.push(partKind(part.part));
      }
    }
    const label = req.settings.handoffLabel;
    if (labels.right === 'refused') log.warn({ ...ctx, label }, `hand-off without the label: Chatwoot before ${BOT_RIGHTS_SINCE} refuses labels to bots`);
    else if (labels.right === 'unknown') await this.step(ctx, 'label the conversation', () => chatwoot.addLabels(req.key, [label]));
    // Chatwoot replaces the whole set: merge into what was just read.
    else if (!labels.current.includes(label)) await this.step(ctx, 'label the conversation', () => chatwoot.setLabels(req.key, [...labels.current, label]));
    if (req.settings.handoffTeamId !== undefined) {
      const teamId = req.settings.handoffTeamId;
      await this.step(ctx, 'assign the team', () => chatwoot.assignTeam(req.key, teamId));
    }
    const openError = await this.step(ctx, 'open the conversation', () => chatwoot.toggleStatus(req.key, 'open'));
    if (openError !== null && passing(openError)) missing.push('open status');
    // Without the note the team does not know why; without `open` nobody is told at all: try again later.
    if (missing.length > 0) throw new HandoffIncompleteError(missing);
    log.warn({ ...ctx, reason: req.logReason }, 'conversation handed to humans');
    this.deps.metrics?.handoff(req.kind);
  }

  /** GET labels, which also serves the merge that follows: 401 "not authorized for bots" = before 4.14.2. */
  private async labelRight(key: ConversationKey): Promise<LabelRight> {
    try {
      return { right: 'allowed', current: await this.deps.chatwoot.getLabels(key) };
    } catch (error) {
      // Any other failure: labelling is tried anyway (and logged if it fails), the note makes no claim.
      return refusedToBots(error) ? { right: 'refused' } : { right: 'unknown' };
    }
  }

  /** One best-effort step: its failure is logged and returned (null when it worked). */
  private async step(ctx: object, what: string, action: () => Promise<void>): Promise<unknown> {
    try {
      await action();
      return null;
    } catch (error) {
      this.deps.log.error({ ...ctx, err: errorForLog(error) }, `hand-off could not ${what}`);
      return error;
    }
  }
}

/**
 * A hand-off that could not reach Chatwoot in full (its note, its customer message or its `open`
 * status failed for a passing reason). Thrown after every step was tried, so the turn stays unfinished
 * and its scheduler runs it again later; the resumed turn finds the conversation handed off and its
 * parts planned, and completes the hand-off without posting anything twice (the outbox).
 */
export class HandoffIncompleteError extends Error {
  constructor(readonly missing: string[]) {
    super(`hand-off incomplete (${missing.join(', ')} did not reach Chatwoot); it is tried again later`);
    this.name = 'HandoffIncompleteError';
  }
}

/** Chatwoot down, overloaded or rate-limiting (network error, 5xx, 429): worth trying again later. */
function passing(error: unknown): boolean {
  return error instanceof ChatwootError && error.retryable;
}
