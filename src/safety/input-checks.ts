/**
 * The checks on a turn's input — what the customer sent, and how often the turn was tried — before
 * Hermes is asked: the counterpart of `checkReply`, which judges what Hermes answered. Pure: the
 * clock comes in as `now`, the turn's history as `attempt` and `replyPlanned`.
 *
 * Order of checks (first match wins; the order is part of the contract, see INPUT_CHECKS):
 *  1. attempts      — the turn was tried more than MAX_TURN_ATTEMPTS times (crash loop, poison input)
 *                     → hand off with the fallback message. Applies even to a planned reply: a turn
 *                     that keeps dying while posting must stop too.
 *  2. asks for human — a message of the turn matches the inbox's hand-off keywords → hand off with the
 *                     hand-off message, without asking Hermes.
 *  3. reply window  — the customer's newest message is 24 h old or older: WhatsApp refuses free text
 *                     there → hand off without a message to the customer (it could not be sent).
 * Checks 2 and 3 decide whether to ask Hermes; once a reply is planned they were passed when it was
 * asked, and a resumed turn keeps that decision (it delivers what it planned, it never re-decides).
 */
import { humanKeyword } from './customer-keywords.js';
import { outsideReplyWindow } from './reply-window.js';

/** A turn that keeps failing (crash loop, poison input) is handed to humans instead of retried forever. */
export const MAX_TURN_ATTEMPTS = 3;

/** What the input checks read of a customer message (the store's turn messages have these fields). */
export interface InputMessage {
  text: string;
  /** When the customer wrote it, as Chatwoot says (ISO 8601); may be missing. */
  createdAt: string | null;
  /** When the bot received it (epoch ms): stands in for a missing or unreadable `createdAt`. */
  receivedAt: number;
}

export interface InputCheckContext {
  /** Attempts so far, this one included. */
  attempt: number;
  now: number;
  /** The inbox's hand-off keywords (the resolved list: defaults or the inbox's own). */
  handoffKeywords: readonly string[];
  /** True when Hermes was already asked for this turn and its reply is planned in the outbox. */
  replyPlanned: boolean;
}

export type InputCheckKind = 'too_many_attempts' | 'asks_for_human' | 'outside_reply_window';

/**
 * Every input verdict hands the conversation to humans; `say` names which configured message the
 * customer gets first: the fallback, the hand-off message, or none.
 */
export interface InputVerdict {
  kind: InputCheckKind;
  /** For the team's private note; quotes at most 200 characters of the customer's text. */
  reason: string;
  /** For the log: the kind and the keyword, never the customer's words. */
  logReason: string;
  say: 'fallback' | 'handoff_message' | 'nothing';
}

export type InputCheck = (messages: readonly InputMessage[], ctx: InputCheckContext) => InputVerdict | null;

const tooMany = `the turn failed ${MAX_TURN_ATTEMPTS} times (the bot restarted while answering)`;

export const tooManyAttempts: InputCheck = (_messages, ctx) =>
  ctx.attempt > MAX_TURN_ATTEMPTS
    ? { kind: 'too_many_attempts', reason: tooMany, logReason: tooMany, say: 'fallback' }
    : null;

export const asksForHuman: InputCheck = (messages, ctx) => {
  if (ctx.replyPlanned) return null;
  for (const m of messages) {
    const keyword = humanKeyword(m.text, ctx.handoffKeywords);
    if (keyword !== null) {
      return { kind: 'asks_for_human', reason: `the customer asked for a human: "${m.text.slice(0, 200)}"`, logReason: `the customer asked for a human (keyword '${keyword}')`, say: 'handoff_message' };
    }
  }
  return null;
};

export const outsideWindow: InputCheck = (messages, ctx) => {
  if (ctx.replyPlanned) return null;
  // Chatwoot's created_at is when the customer wrote; our receipt time covers a missing one.
  const newest = Math.max(...messages.map((m) => (m.createdAt ? Date.parse(m.createdAt) || m.receivedAt : m.receivedAt)));
  return outsideReplyWindow(newest, ctx.now)
    ? {
        kind: 'outside_reply_window',
        reason: "the customer's last message is older than 24 hours: WhatsApp refuses free text outside that window (send an approved template)",
        logReason: "the customer's last message is older than 24 hours (WhatsApp's reply window)",
        say: 'nothing',
      }
    : null;
};

/** In the order they run: a new input check goes here, at the place its priority says. */
export const INPUT_CHECKS: readonly InputCheck[] = [tooManyAttempts, asksForHuman, outsideWindow];

/** The first input check that refuses the turn, or null when Hermes may be asked (or the plan delivered). */
export function checkInput(messages: readonly InputMessage[], ctx: InputCheckContext): InputVerdict | null {
  for (const check of INPUT_CHECKS) {
    const verdict = check(messages, ctx);
    if (verdict) return verdict;
  }
  return null;
}
