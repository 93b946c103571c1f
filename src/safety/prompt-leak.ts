/**
 * Detects prompt and tool leaks in a generated reply (lessons.md A.4): tool-call syntax, reasoning tags,
 * unrendered templates, a raw JSON object/array making up most of the reply, system-prompt markers, and
 * operator-listed fragments of the system prompt or tool names.
 */
import { foldText } from './similarity.js';

/** Operator leak fragments shorter than this (after trimming) are ignored: too likely to occur naturally. */
export const MIN_LEAK_FRAGMENT_LENGTH = 8;
/** A parseable JSON object/array at least this share of the (trimmed) reply makes it a raw-JSON leak. */
export const RAW_JSON_SHARE = 0.5;
/** Only this many characters are scanned for JSON, with at most this many bracket-matching steps in all
 * (bounds the work on huge or pathological replies such as thousands of unbalanced '{'). */
const JSON_SCAN_LIMIT = 20_000;
const JSON_STEP_BUDGET = 400_000;

export interface LeakMatch {
  label: 'tool call' | 'reasoning' | 'template' | 'raw json' | 'system prompt' | 'leak fragment';
  /** What matched (at most 80 characters), for the private note. */
  excerpt: string;
}

const TOOL_CALL: readonly RegExp[] = [
  /<\/?(?:tool_call|tool_calls|tool_use|tool_result|tool_response|function_call|function_calls|functions?\.\w+)\b[^>]*>/i,
  /<\|(?:tool_call|python_tag|tool_calls_begin|tool_call_begin|im_start|im_end)\|?>/i,
  /\[TOOL_CALLS\]|\[TOOL_RESULTS\]/,
  /<(?:invoke|function)[\s=][^>]*>/i,
  /"(?:tool_calls|tool_call_id|function_call)"\s*:/i,
  /\bfunction_call\b|\btool_calls\b/i,
  /\{\s*"name"\s*:\s*"[^"\n]*"\s*,\s*"(?:arguments|parameters|args)"\s*:/i,
];

const REASONING = /<\/?(?:think|thinking|reasoning|scratchpad)>/i;

const TEMPLATE: readonly RegExp[] = [
  /\{\{[^{}\n]{0,200}\}\}/, // Liquid / Handlebars / Jinja output tags
  /\{%[^%\n]{0,200}%\}/, // Liquid / Jinja logic tags
  // Hermes webhook-style placeholders: {__raw__}, {contact_first_name}, {payload.message}
  /\{(?:__raw__|[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+)\}/,
];

const SYSTEM_PROMPT: readonly RegExp[] = [
  /\bsystem prompt\b|\bsystem message\b/i,
  /<\/?system>|\[SISTEMA:|\[SYSTEM:|<<SYS>>/i,
];

function excerpt(s: string): string {
  return s.trim().slice(0, 80);
}

/** Index of the bracket closing the one at `start`, skipping JSON strings; -1 when unbalanced. */
function matchingBracket(text: string, start: number, budget: { steps: number }): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    budget.steps -= 1;
    if (budget.steps < 0) return -1;
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function parsesAsContainer(candidate: string): boolean {
  try {
    const value: unknown = JSON.parse(candidate);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/** The largest substring that parses as a JSON object or array, or '' when there is none. */
export function largestJson(text: string): string {
  const scanned = text.slice(0, JSON_SCAN_LIMIT);
  const budget = { steps: JSON_STEP_BUDGET };
  let best = '';
  let i = 0;
  while (i < scanned.length && budget.steps > 0) {
    const ch = scanned[i];
    if (ch === '{' || ch === '[') {
      const end = matchingBracket(scanned, i, budget);
      if (end > i) {
        const candidate = scanned.slice(i, end + 1);
        if (parsesAsContainer(candidate)) {
          if (candidate.length > best.length) best = candidate;
          i = end + 1;
          continue;
        }
      }
    }
    i += 1;
  }
  return best;
}

function normaliseForFragments(text: string): string {
  return foldText(text).replace(/\s+/g, ' ').trim();
}

/** First leak found in `text`, or null. Fragments match case-, accent- and whitespace-insensitively. */
export function findPromptLeak(text: string, leakFragments: readonly string[] = []): LeakMatch | null {
  for (const re of TOOL_CALL) {
    const m = re.exec(text);
    if (m) return { label: 'tool call', excerpt: excerpt(m[0]) };
  }
  const reasoning = REASONING.exec(text);
  if (reasoning) return { label: 'reasoning', excerpt: excerpt(reasoning[0]) };
  for (const re of TEMPLATE) {
    const m = re.exec(text);
    if (m) return { label: 'template', excerpt: excerpt(m[0]) };
  }
  const trimmed = text.trim();
  const json = largestJson(trimmed);
  if (json !== '' && json.length >= trimmed.length * RAW_JSON_SHARE) {
    return { label: 'raw json', excerpt: excerpt(json) };
  }
  for (const re of SYSTEM_PROMPT) {
    const m = re.exec(text);
    if (m) return { label: 'system prompt', excerpt: excerpt(m[0]) };
  }
  const haystack = normaliseForFragments(text);
  for (const fragment of leakFragments) {
    const needle = normaliseForFragments(fragment);
    if (fragment.trim().length < MIN_LEAK_FRAGMENT_LENGTH || needle === '') continue;
    if (haystack.includes(needle)) return { label: 'leak fragment', excerpt: excerpt(fragment) };
  }
  return null;
}
