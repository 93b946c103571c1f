/**
 * Does the customer ask for a human? Keyword matching in Portuguese, Spanish and English.
 *
 * Matching is on whole words and whole phrases, case- and accent-insensitive, ignoring punctuation:
 * the text and each keyword are reduced to their tokens ("Falar com ALGUÉM!" → "falar com alguem") and a
 * keyword matches only as a complete token sequence. So "agente" matches "quero um agente" but not
 * "agentes"; "humano" does not match "humanos".
 *
 * Trade-offs (documented on purpose):
 * - Inflections are not matched: "atendentes" (plural) does not trigger "atendente". Add variants to the
 *   list if an inbox needs them. Whole-word matching is what keeps "agentes de viagem" or "mesa para duas
 *   pessoas" from handing off.
 * - Generic words that mostly mean something else are only listed inside phrases: "pessoa" appears as
 *   "falar com uma pessoa" / "pessoa de verdade", never alone ("mesa para uma pessoa" is a booking);
 *   "person" as "real person" / "talk to a person" ("price per person" is not a request); Spanish
 *   "ejecutivo" as "hablar con un ejecutivo" ("menú ejecutivo" is a lunch menu).
 * - Some singular words are still ambiguous ("agente de viagens", "travel agent", "human resources"):
 *   DEFAULT_HANDOFF_EXCLUSIONS removes those phrases from the text before matching. Anything not listed
 *   there can still give a false positive; that costs a human a look, while a missed request leaves a
 *   customer stuck with a bot, so the list errs on the side of handing off.
 * - Negation is not understood: "não preciso de atendente" hands off too.
 */
import { tokenize } from './similarity.js';

export const DEFAULT_HANDOFF_KEYWORDS: readonly string[] = [
  // Portuguese
  'atendente',
  'atendimento humano',
  'humano',
  'humana',
  'agente',
  'operador',
  'falar com alguém',
  'falar com uma pessoa',
  'falar com outra pessoa',
  'pessoa de verdade',
  'pessoa real',
  'falar com um consultor',
  'falar com uma consultora',
  'falar com o gerente',
  'falar com um gerente',
  'falar com o responsável',
  'não quero falar com robô',
  'não quero falar com um robô',
  // Spanish
  'asesor',
  'asesora',
  'hablar con una persona',
  'hablar con alguien',
  'persona real',
  'operadora humana',
  'atención humana',
  'hablar con un agente',
  'hablar con un ejecutivo',
  'hablar con una ejecutiva',
  'no quiero hablar con un robot',
  // English
  'agent',
  'human',
  'representative',
  'operator',
  'real person',
  'live person',
  'talk to a person',
  'speak to a person',
  'speak with a person',
  'talk to someone',
  'speak to someone',
  'speak with someone',
  'talk to a manager',
  'speak to a manager',
  'customer service representative',
];

/** Phrases removed from the text before matching: they contain a keyword but do not ask for a human. */
export const DEFAULT_HANDOFF_EXCLUSIONS: readonly string[] = [
  'agente de viagem',
  'agente de viagens',
  'agente de turismo',
  'agente de seguros',
  'agente de saúde',
  'agente comunitário',
  'agente imobiliário',
  'agente de viajes',
  'agente inmobiliario',
  'travel agent',
  'real estate agent',
  'insurance agent',
  'user agent',
  'human resources',
  'recursos humanos',
  'tour operator',
];

function phraseKey(text: string): string {
  return ` ${tokenize(text).join(' ')} `;
}

/**
 * True when `text` asks for a human. `keywords` replaces DEFAULT_HANDOFF_KEYWORDS (pass
 * `[...DEFAULT_HANDOFF_KEYWORDS, ...extra]` to extend); `exclusions` replaces DEFAULT_HANDOFF_EXCLUSIONS.
 */
export function wantsHuman(
  text: string,
  keywords: readonly string[] = DEFAULT_HANDOFF_KEYWORDS,
  exclusions: readonly string[] = DEFAULT_HANDOFF_EXCLUSIONS,
): boolean {
  return humanKeyword(text, keywords, exclusions) !== null;
}

/**
 * The keyword by which `text` asks for a human, or null: what the log may say about the request
 * (the keyword is the inbox's configuration; the customer's words stay out of the log).
 */
export function humanKeyword(
  text: string,
  keywords: readonly string[] = DEFAULT_HANDOFF_KEYWORDS,
  exclusions: readonly string[] = DEFAULT_HANDOFF_EXCLUSIONS,
): string | null {
  let key = phraseKey(text);
  for (const exclusion of exclusions) {
    const ex = phraseKey(exclusion);
    if (ex.trim() === '') continue;
    // Replace with a single space so the neighbouring words stay separated.
    key = key.split(ex).join(' ');
  }
  return (
    keywords.find((keyword) => {
      const k = phraseKey(keyword);
      return k.trim() !== '' && key.includes(k);
    }) ?? null
  );
}
