/**
 * Text comparison helpers for the reply guard: accent- and case-insensitive tokens, Jaccard similarity
 * and question extraction. Pure and dependency-free.
 */

const COMBINING_MARKS = /\p{M}+/gu;
/** A token is a run of letters/digits, or one pictographic emoji (so "👍" counts as a word). */
const TOKEN = /[\p{L}\p{N}]+|\p{Extended_Pictographic}/gu;
/** Sentence ends: a newline, or whitespace after . ! ? or an ellipsis. */
const SENTENCE_BREAK = /\n+|(?<=[.!?…])\s+/u;
/** A question sentence ends with '?' optionally followed by closing punctuation, markup or emoji. */
const ENDS_WITH_QUESTION = /\?[^\p{L}\p{N}]*$/u;

/** Lower-case and strip accents ("Não É" → "nao e"); punctuation and emoji are kept. */
export function foldText(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(COMBINING_MARKS, '');
}

/** Lower-case, accent-free word tokens; punctuation is dropped, emoji are single tokens. */
export function tokenize(text: string): string[] {
  return foldText(text).match(TOKEN) ?? [];
}

/**
 * Jaccard similarity of two token collections, compared as sets: |A ∩ B| / |A ∪ B|.
 * Two empty collections give 0: there is nothing to compare, so nothing counts as a repeat.
 */
export function jaccard(a: Iterable<string>, b: Iterable<string>): number {
  const setA = new Set(a);
  const setB = new Set(b);
  if (setA.size === 0 && setB.size === 0) return 0;
  let shared = 0;
  for (const token of setA) if (setB.has(token)) shared += 1;
  return shared / (setA.size + setB.size - shared);
}

/** Token Jaccard similarity of two texts. */
export function textSimilarity(a: string, b: string): number {
  return jaccard(tokenize(a), tokenize(b));
}

/** Splits text into trimmed, non-empty sentences (at line breaks and after . ! ? …). */
export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_BREAK)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The last sentence of `text` that is a question (ends with '?', possibly followed by emoji or closing
 * markup such as `*`), or null when there is none. "Qual o seu CEP? Assim calculo o frete." → "Qual o seu CEP?"
 */
export function lastQuestion(text: string): string | null {
  const sentences = splitSentences(text);
  for (let i = sentences.length - 1; i >= 0; i -= 1) {
    const sentence = sentences[i];
    if (sentence !== undefined && ENDS_WITH_QUESTION.test(sentence)) return sentence;
  }
  return null;
}
