/**
 * Conversation safety: pure, dependency-free checks between Hermes and the customer.
 * Nothing here does I/O or reads the clock; callers pass `now` where time matters.
 */
export {
  checkReply,
  isAmbiguousShortAnswer,
  EMPTY_REPLIES_BEFORE_HANDOFF,
  DEFAULT_HANDOFF_MARKER,
  LOOP_SIMILARITY_THRESHOLD,
  REPEATED_QUESTION_THRESHOLD,
  LOOP_MIN_TOKENS,
  MAX_CLARIFICATIONS_IN_A_ROW,
} from './reply-guard.js';
export type { BlockKind, BlockVerdict, DeliverVerdict, GuardVerdict, ReplyGuardContext } from './reply-guard.js';
export { findTechnicalError } from './technical-errors.js';
export type { TechnicalErrorMatch } from './technical-errors.js';
export { stripGatewayStatus, isGatewayStatusSentence, isSubstantial } from './gateway-status.js';
export type { StatusStripResult } from './gateway-status.js';
export { findPromptLeak, largestJson, MIN_LEAK_FRAGMENT_LENGTH, RAW_JSON_SHARE } from './prompt-leak.js';
export type { LeakMatch } from './prompt-leak.js';
export { foldText, tokenize, jaccard, textSimilarity, splitSentences, lastQuestion } from './similarity.js';
export { wantsHuman, DEFAULT_HANDOFF_KEYWORDS, DEFAULT_HANDOFF_EXCLUSIONS } from './customer-keywords.js';
export { outsideReplyWindow, WHATSAPP_REPLY_WINDOW_MS } from './reply-window.js';
export { checkInput, INPUT_CHECKS, MAX_TURN_ATTEMPTS } from './input-checks.js';
export type { InputCheck, InputCheckContext, InputCheckKind, InputMessage, InputVerdict } from './input-checks.js';
