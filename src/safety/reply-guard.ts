/**
 * The customer-safety verdict for one generated reply: deliver it (possibly cleaned, possibly with a
 * hand-off) or block it (with or without a hand-off). Pure: everything it needs comes in `ctx`.
 *
 * Order of checks (first match wins; the order is part of the contract):
 *  1. empty        — whitespace only, or Hermes' "(No response generated)" placeholder → block 'empty',
 *                    no hand-off (the caller counts empties in a row, EMPTY_REPLIES_BEFORE_HANDOFF).
 *  2. technical    — HTTP/auth/provider errors, tracebacks, exception names, rate-limit and fallback
 *                    notices → block 'technical_error' + hand-off. Runs on the raw reply BEFORE status
 *                    stripping, so "⚡ Interrupting current task… HTTP 401 token is expired" is treated as
 *                    the error it is (hand-off), not as harmless chatter.
 *  3. status lines — Hermes gateway chatter is removed sentence by sentence; if nothing substantial
 *                    remains → block 'gateway_status', no hand-off. Otherwise the rest continues.
 *  4. leaks        — tool-call syntax, reasoning tags, templates, raw JSON, system-prompt markers, operator
 *                    fragments → block 'prompt_leak' + hand-off. Runs on the status-free text.
 *  5. hand-off     — the marker (case-insensitive) is stripped and/or a configured phrase is found; marker
 *                    only → block 'empty' + hand-off (reason 'handoff marker only'). A hand-off reply skips
 *                    6–7: the conversation leaves the bot, so a repeat cannot become a loop, and the agreed
 *                    phrase is by design the same every time.
 *  6. loop         — token Jaccard ≥ 0.90 with ANY recent bot reply (replies with ≥ LOOP_MIN_TOKENS tokens)
 *                    → block 'loop' + hand-off. The clarification exception of step 7 does not apply: a
 *                    near-identical re-send is not a clarification.
 *  7. question     — the reply's last question vs the last question of the most recent bot reply that had
 *                    one, Jaccard ≥ 0.55 → block 'repeated_question' + hand-off, EXCEPT one clarification
 *                    after an ambiguous short customer answer ("sim", "ok", "👍") when the previous bot reply
 *                    was not already one (`clarificationsInARow` < MAX_CLARIFICATIONS_IN_A_ROW).
 *  8. deliver      — the cleaned text (status and marker removed, trimmed).
 */
import { stripGatewayStatus, isSubstantial } from './gateway-status.js';
import { findPromptLeak } from './prompt-leak.js';
import { foldText, jaccard, lastQuestion, tokenize } from './similarity.js';
import { findTechnicalError } from './technical-errors.js';

/** The caller hands off after this many 'empty' blocks in a row (the guard itself never counts). */
export const EMPTY_REPLIES_BEFORE_HANDOFF = 2;
export const DEFAULT_HANDOFF_MARKER = '[HANDOFF]';
export const LOOP_SIMILARITY_THRESHOLD = 0.9;
export const REPEATED_QUESTION_THRESHOLD = 0.55;
/**
 * Replies shorter than this many tokens are not loop-checked: "De nada! 😊" twice in a conversation is
 * courtesy, not a loop. Repeated short *questions* are still caught by the repeated-question rule.
 */
export const LOOP_MIN_TOKENS = 4;
/** Clarifications (a repeated question after an ambiguous answer) allowed in a row. */
export const MAX_CLARIFICATIONS_IN_A_ROW = 1;

export type BlockKind = 'technical_error' | 'gateway_status' | 'prompt_leak' | 'loop' | 'repeated_question' | 'empty';

export interface ReplyGuardContext {
  /** What the bot sent in this conversation, newest last (the delivered `text`s, not raw replies). */
  recentBotReplies: readonly string[];
  /** The customer's latest text ('' for attachment-only messages). */
  lastCustomerText: string;
  /** Operator-listed pieces of the system prompt / tool names; fragments under 8 characters are ignored. */
  leakFragments?: readonly string[];
  /** Hand-off marker the agent may emit; default '[HANDOFF]'; '' disables it. */
  handoffMarker?: string;
  /** Customer-facing hand-off phrases ("Um momento — vou verificar"); kept in the delivered text. */
  handoffPhrases?: readonly string[];
  /**
   * How many of the most recent bot replies in a row were delivered as clarifications (a verdict with
   * `clarification: true`). The caller adds one after such a delivery and resets to 0 after any other
   * delivered reply. Default 0.
   */
  clarificationsInARow?: number;
  /** Overrides for tests or tuning. */
  loopThreshold?: number;
  questionThreshold?: number;
}

export interface DeliverVerdict {
  action: 'deliver';
  /** The text to send: status lines and marker removed, trimmed; never empty. */
  text: string;
  /** Non-null: deliver `text`, then hand the conversation to humans. */
  handoff: null | { reason: string };
  /** True when this is the one allowed repeated question after an ambiguous answer. */
  clarification: boolean;
}

export interface BlockVerdict {
  action: 'block';
  kind: BlockKind;
  /** Human-readable, for the private note (quotes the matched snippet, never the whole reply). */
  reason: string;
  /** True: hand the conversation to humans; false: only note it (status lines, a single empty reply). */
  handoff: boolean;
}

export type GuardVerdict = DeliverVerdict | BlockVerdict;

/** Texts Hermes produces when the model said nothing; treated like an empty reply. */
const EMPTY_PLACEHOLDERS = new Set(['(no response generated)', '(empty response)', '(no response)', 'no response generated']);

/** Short answers that do not say which option the customer meant (folded: lower-case, no accents). */
const AMBIGUOUS_ANSWERS = new Set([
  // Portuguese
  'sim', 's', 'ss', 'ok', 'okay', 'oki', 'okk', 'blz', 'beleza', 'isso', 'isto', 'esse', 'essa', 'nao', 'n',
  'talvez', 'pode', 'ser', 'claro', 'certo', 'ta', 'e', 'uhum', 'aham', 'hum', 'hmm', 'hm', 'entao', 'tipo',
  // Spanish
  'si', 'vale', 'bueno', 'eso', 'esto', 'quizas', 'quiza', 'tal', 'vez', 'dale', 'puede',
  // English
  'yes', 'y', 'yeah', 'yep', 'yup', 'no', 'nope', 'maybe', 'sure', 'k', 'this', 'that', 'perhaps',
  // Emoji
  '👍', '👌', '🙏', '✅', '🤔', '🤷', '❓', '❔', '🙂', '😊',
]);

/**
 * True for an ambiguous short answer: at most 2 tokens, all from the ambiguous list ("sim", "ok", "isso",
 * "não", "yes", "si", "talvez", "👍", "pode ser"), or only punctuation ("?", "..."). '' is not ambiguous.
 */
export function isAmbiguousShortAnswer(text: string): boolean {
  if (text.trim() === '') return false;
  const tokens = tokenize(text);
  return tokens.length <= 2 && tokens.every((t) => AMBIGUOUS_ANSWERS.has(t));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Token sequence padded with spaces, for whole-word phrase matching. */
function phraseKey(text: string): string {
  return ` ${tokenize(text).join(' ')} `;
}

function block(kind: BlockKind, reason: string, handoff: boolean): BlockVerdict {
  return { action: 'block', kind, reason, handoff };
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function quote(s: string, max = 80): string {
  const oneLine = s.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine}"`;
}

/** Decides whether `reply` may reach the customer. See the module comment for the order of checks. */
export function checkReply(reply: string, ctx: ReplyGuardContext): GuardVerdict {
  // 1. Empty.
  if (reply.trim() === '' || EMPTY_PLACEHOLDERS.has(foldText(reply).trim())) {
    return block('empty', 'empty reply', false);
  }

  // 2. Technical errors (raw reply).
  const technical = findTechnicalError(reply);
  if (technical) {
    return block('technical_error', `technical error (${technical.label}): ${quote(technical.excerpt)}`, true);
  }

  // 3. Gateway status lines.
  const stripped = stripGatewayStatus(reply);
  if (stripped.removed.length > 0 && !isSubstantial(stripped.text)) {
    return block('gateway_status', `gateway status line: ${quote(stripped.removed.join(' '))}`, false);
  }
  let text = stripped.text;

  // 4. Prompt / tool leaks.
  const leak = findPromptLeak(text, ctx.leakFragments ?? []);
  if (leak) {
    return block('prompt_leak', `prompt leak (${leak.label}): ${quote(leak.excerpt)}`, true);
  }

  // 5. Hand-off marker and phrases.
  const marker = (ctx.handoffMarker ?? DEFAULT_HANDOFF_MARKER).trim();
  let handoffReason: string | null = null;
  if (marker !== '') {
    const markerRe = new RegExp(`[ \\t]*${escapeRegExp(marker)}`, 'gi');
    if (text.toLowerCase().includes(marker.toLowerCase())) {
      text = text
        .replace(markerRe, '')
        .replace(/[ \t]+$/gm, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      if (!isSubstantial(text)) return block('empty', 'handoff marker only', true);
      handoffReason = `agent emitted the hand-off marker ${marker}`;
    }
  }
  if (handoffReason === null) {
    const key = phraseKey(text);
    const phrase = (ctx.handoffPhrases ?? []).find((p) => tokenize(p).length > 0 && key.includes(phraseKey(p)));
    if (phrase !== undefined) handoffReason = `agent used the hand-off phrase ${quote(phrase)}`;
  }
  if (handoffReason !== null) {
    return { action: 'deliver', text, handoff: { reason: handoffReason }, clarification: false };
  }

  // 6. Loops.
  const tokens = tokenize(text);
  const loopThreshold = ctx.loopThreshold ?? LOOP_SIMILARITY_THRESHOLD;
  if (tokens.length >= LOOP_MIN_TOKENS) {
    for (const previous of ctx.recentBotReplies) {
      const similarity = jaccard(tokens, tokenize(previous));
      if (similarity >= loopThreshold) {
        return block('loop', `loop: ${percent(similarity)} similar to an earlier bot reply ${quote(previous)}`, true);
      }
    }
  }

  // 7. Repeated question (with one allowed clarification).
  let clarification = false;
  const question = lastQuestion(text);
  if (question !== null) {
    let previousQuestion: string | null = null;
    for (let i = ctx.recentBotReplies.length - 1; i >= 0 && previousQuestion === null; i -= 1) {
      previousQuestion = lastQuestion(ctx.recentBotReplies[i] ?? '');
    }
    if (previousQuestion !== null) {
      const similarity = jaccard(tokenize(question), tokenize(previousQuestion));
      if (similarity >= (ctx.questionThreshold ?? REPEATED_QUESTION_THRESHOLD)) {
        const allowed =
          isAmbiguousShortAnswer(ctx.lastCustomerText) &&
          (ctx.clarificationsInARow ?? 0) < MAX_CLARIFICATIONS_IN_A_ROW;
        if (!allowed) {
          return block(
            'repeated_question',
            `repeated question: ${quote(question)} is ${percent(similarity)} similar to ${quote(previousQuestion)}`,
            true,
          );
        }
        clarification = true;
      }
    }
  }

  // 8. Deliver.
  return { action: 'deliver', text, handoff: null, clarification };
}
