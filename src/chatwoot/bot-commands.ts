/**
 * Parses team commands written as Chatwoot private notes: "/bot pause", "/bot resume", "/bot reset",
 * "/bot status". Case-insensitive; whitespace around the note and between the words is ignored; only the
 * first line counts and words after the sub-command are ignored ("/bot pause até segunda" → pause).
 * The caller must only pass PRIVATE notes written by agents: a customer's "/bot reset" is plain text.
 */

import type { BotCommand, BotCommandName } from '../domain/events.js';

/** Accepted spellings (folded to lower case) per command; Portuguese and Spanish aliases included. */
const ALIASES: Readonly<Record<string, BotCommandName>> = {
  pause: 'pause',
  pausar: 'pause',
  pausa: 'pause',
  off: 'pause',
  stop: 'pause',
  resume: 'resume',
  retomar: 'resume',
  reanudar: 'resume',
  continuar: 'resume',
  on: 'resume',
  start: 'resume',
  reset: 'reset',
  resetar: 'reset',
  reiniciar: 'reset',
  restart: 'reset',
  status: 'status',
  estado: 'status',
  state: 'status',
};

const BOT_COMMAND = /^\/bot(?=\s|$)[^\S\n]*([^\n]*)/i;

/**
 * The command in a private note, or null when the note does not start with "/bot" as a word
 * ("/botão", "bot pause" and "please /bot pause" are not commands). "/bot" alone or with an unknown
 * word gives `{command: 'unknown', raw}` where `raw` is the rest of the first line, trimmed ('' for "/bot").
 */
export function parseBotCommand(text: string): BotCommand | null {
  const match = BOT_COMMAND.exec(text.trim());
  if (!match) return null;
  const rest = (match[1] ?? '').trim();
  const word = rest.split(/\s+/)[0]?.toLowerCase() ?? '';
  const command = Object.hasOwn(ALIASES, word) ? ALIASES[word] : undefined;
  return command !== undefined ? { command } : { command: 'unknown', raw: rest };
}
