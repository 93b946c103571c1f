/**
 * Cleans the contact's name before the agent sees it (lessons.md A.10): WhatsApp profile names are often
 * placeholders ("Cliente WhatsApp", "Unknown"), phone numbers, emoji decorations or the business itself.
 * Returns the capitalised first name, or null when nothing trustworthy is left (the agent then greets
 * without a name).
 */
import { foldText, tokenize } from '../safety/similarity.js';

/** Folded (lower-case, accent-free) words that mark a placeholder name wherever they appear. */
const PLACEHOLDER_WORDS = new Set([
  'unknown', 'desconhecido', 'desconhecida', 'desconocido', 'desconocida', 'contato', 'contacto', 'contact',
  'cliente', 'client', 'customer', 'whatsapp', 'wpp', 'zap', 'usuario', 'usuaria', 'user', 'teste', 'test',
  'anonimo', 'anonima', 'anonymous', 'null', 'undefined', 'none', 'lead', 'visitante', 'visitor', 'guest',
]);

/** Folded phrases that are placeholders as a whole. */
const PLACEHOLDER_NAMES = new Set(['sem nome', 'sin nombre', 'no name', 'n a', 'nome', 'name', 'nombre']);

/** Leading titles skipped to reach the first name ("Dra. Ana Souza" → "Ana"). */
const HONORIFICS = new Set([
  'dr', 'dra', 'sr', 'sra', 'srta', 'mr', 'mrs', 'ms', 'miss', 'prof', 'profa', 'dona', 'senor', 'senora',
]);

const DIGIT = /\p{N}/u;
const EMOJI_OR_SYMBOL = /[\p{Extended_Pictographic}\p{So}\p{Regional_Indicator}]/u;
/** A usable first name: letters with optional inner apostrophes or hyphens ("D'Ávila", "Ana-Luísa"). */
const NAME_WORD = /^\p{L}+(?:['’-]\p{L}+)*$/u;

function phraseKey(text: string): string {
  return ` ${tokenize(text).join(' ')} `;
}

function capitalise(word: string): string {
  // Mixed case ("McDonald", "DeAndre") is kept; all-lower or ALL-CAPS is normalised per hyphen/apostrophe part.
  const isMixed = word !== word.toLowerCase() && word !== word.toUpperCase();
  if (isMixed) return word;
  return word
    .toLowerCase()
    .replace(/(^|['’-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

/** Whether the contact name is (part of) the business's own name. */
function isBusinessName(name: string, businessName: string | undefined): boolean {
  if (businessName === undefined || tokenize(businessName).length === 0) return false;
  const nameKey = phraseKey(name);
  const businessKey = phraseKey(businessName);
  if (nameKey === businessKey || nameKey.includes(businessKey)) return true;
  // "Pão Quente" for "Padaria Pão Quente"; a single word inside it ("João" for "Barbearia do João") is
  // kept, because a customer may well share a first name with the shop.
  return tokenize(name).length >= 2 && businessKey.includes(nameKey);
}

/**
 * The contact's first name, capitalised, or null when the name is missing, a generic placeholder
 * ("unknown", "contato", "cliente", "whatsapp", "usuário"…), contains digits or emoji/symbols, or is the
 * business's own name.
 */
export function cleanContactName(name: string | null | undefined, businessName?: string): string | null {
  if (name === null || name === undefined) return null;
  const trimmed = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (trimmed === '') return null;
  if (DIGIT.test(trimmed) || EMOJI_OR_SYMBOL.test(trimmed)) return null;

  const tokens = tokenize(trimmed);
  if (tokens.length === 0) return null;
  if (tokens.some((t) => PLACEHOLDER_WORDS.has(t))) return null;
  if (PLACEHOLDER_NAMES.has(tokens.join(' '))) return null;
  if (isBusinessName(trimmed, businessName)) return null;

  // Words as written, without surrounding punctuation ("~Maria", "(João)", "Sr.").
  const words = trimmed
    .split(' ')
    .map((w) => w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''))
    .filter((w) => w !== '');
  const first = words.find((w) => !HONORIFICS.has(foldText(w)));
  if (first === undefined || !NAME_WORD.test(first)) return null;
  if ((first.match(/\p{L}/gu)?.length ?? 0) < 2) return null;
  return capitalise(first);
}
