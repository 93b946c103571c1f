/**
 * Recognises Hermes gateway status chatter ("⚡ Interrupting current task…", "⏳ Queued for the next turn",
 * "⏩ Steered into current run", "↪ Redirected current run", "⏳ Subagent working", "⏳ Compressing context",
 * "⏳ Still working... (3 min elapsed — iteration 12/90, running: web_search)", gateway restart notices,
 * the one-time "/busy" tips) and strips it from a reply (lessons.md A.3, hermes.md §10–11).
 *
 * Matching is per sentence. A line that starts with status chatter is dropped whole (Hermes appends its own
 * tails to it); a status sentence later in a line ("Olá! ⚡ Interrupting current task. Abrimos às 9h.") is
 * removed on its own, keeping the real text around it. Two tiers keep false positives down:
 * - strong phrases are agent jargon no customer-facing reply starts a sentence with; they match at the
 *   start of a sentence (after any emoji/symbol prefix), with or without the emoji;
 * - weak phrases ("Still working", "Thinking", "Processing") count only with a status emoji prefix
 *   (⏳ ⚡ ⏩ …), with Hermes' progress detail, or when the sentence is nothing but the phrase
 *   ("Still working..."), so "Still working on your order? Tell me the number." is kept.
 */
import { foldText } from './similarity.js';

export interface StatusStripResult {
  /** The reply without status sentences, blank-line runs collapsed, trimmed. */
  text: string;
  /** The status sentences that were removed, in order (for the private note). */
  removed: string[];
}

/** Matched against the folded sentence with its leading emoji/symbols removed. */
const STRONG_START: readonly RegExp[] = [
  /^interrupting (?:the |my )?current (?:task|run)\b/,
  /^(?:your message (?:was |is |has been )?)?queued (?:for (?:the )?next turn|behind\b)/,
  /^steered into (?:the )?current run\b/,
  /^redirected (?:the )?current run\b/,
  /^sub-?agents? (?:is |are )?(?:still )?working\b/,
  /^compressing (?:the )?(?:conversation )?context\b/,
  /^context compression\b/,
  /^no activity for \d+/,
  /^gateway (?:is )?(?:restarting|shutting down|stopping|running|online|restarted|draining)\b/,
  /^(?:restarting|draining) (?:the )?gateway\b|^draining \d+ active agent/,
  /^agent is (?:still )?(?:running|starting)\b/,
  /^i.?ll respond (?:to your message shortly|once the current task finishes)/,
  /^your message arrives after the next tool call/,
  /^i.?ll adjust using your correction/,
  /^i.?ll pick this up (?:automatically )?(?:once|when)\b/,
  /^first-time tip\b|^\(tip\)/,
  /^this (?:notice|tip) (?:won.?t appear again|only shows once)/,
  /^(?:you can continue this session|your session continues)\b/,
];

/** Matched anywhere in the folded sentence. */
const STRONG_ANYWHERE: readonly RegExp[] = [
  // Hermes' busy/progress detail: "(2 min elapsed, iteration 3/10, running: web_search)".
  /\(\s*\d+\s*min elapsed|\biteration \d+\/\d+|\brunning: [\w.:-]+\)/,
  // Gateway slash-command hints ("use /stop to cancel everything", "send `/busy queue`").
  /(?:^|[\s`(])\/(?:busy|verbose|steer|queue|stop)\b/,
];

const WEAK_START = /^(?:still )?(?:working|thinking|processing|searching|loading|stopped|interrupted)\b/;
const WEAK_ALONE = /^(?:still )?(?:working|thinking|processing|searching|loading|stopped|interrupted)(?: on it)?\s*(?:\.{1,3}|…)?$/;
const STATUS_EMOJI_PREFIX = /^\s*[⏳⌛⚡⏩↪♻⚠🔄⚙💭🤔🧠🛠🔧🗜💡]/u;
const LEADING_NON_WORD = /^[^\p{L}\p{N}(]+/u;

/** True when one sentence is gateway status chatter rather than an answer. */
export function isGatewayStatusSentence(sentence: string): boolean {
  const folded = foldText(sentence).trim();
  const body = folded.replace(LEADING_NON_WORD, '');
  if (body === '') return false;
  if (STRONG_START.some((re) => re.test(body))) return true;
  if (STRONG_ANYWHERE.some((re) => re.test(folded))) return true;
  if (WEAK_START.test(body)) {
    return STATUS_EMOJI_PREFIX.test(sentence) || WEAK_ALONE.test(body);
  }
  return false;
}

const SENTENCE_BREAK = /(?<=[.!?…])\s+/u;

/**
 * Removes gateway status text. A line without status text is kept byte for byte; a line that STARTS with a
 * status sentence is dropped whole (the rest is Hermes' tail for it); a line with a status sentence later
 * on ("Olá! ⚡ Interrupting current task. Abrimos às 9h.") loses only its status sentences and is rebuilt
 * from the others, joined by one space.
 */
export function stripGatewayStatus(text: string): StatusStripResult {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      kept.push('');
      continue;
    }
    const sentences = line.trim().split(SENTENCE_BREAK);
    const statusFlags = sentences.map(isGatewayStatusSentence);
    if (!statusFlags.includes(true)) {
      kept.push(line);
      continue;
    }
    if (statusFlags[0]) {
      // A line that opens with status chatter is status through to its end: Hermes appends its own
      // tails ("The agent may be stuck.", hints about /stop) that are not status phrases by themselves.
      removed.push(line.trim());
      continue;
    }
    const rest: string[] = [];
    sentences.forEach((sentence, i) => {
      if (statusFlags[i]) removed.push(sentence);
      else rest.push(sentence);
    });
    if (rest.length > 0) kept.push(rest.join(' '));
  }
  const cleaned = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: cleaned, removed };
}

/** True when `text` carries some real content: at least two letters or digits. */
export function isSubstantial(text: string): boolean {
  return (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 2;
}
