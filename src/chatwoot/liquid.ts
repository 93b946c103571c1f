/**
 * Chatwoot renders the content of every outgoing message — public replies and private notes — as a
 * Liquid template before storing it (app/models/concerns/liquidable.rb, liquid 5.4 in lax mode): `{{ … }}`
 * and `{% … %}` are evaluated against the contact, agent, conversation, inbox and account. The bot's
 * text quotes customers and Hermes (a hand-off reason, a blocked reply, /bot status), so it must reach
 * Chatwoot as text, not as a template: `liquidSafe` returns what to post so that Chatwoot's rendering
 * gives back exactly `text`. Chatwoot then stores, sends and echoes the text itself, so our outbox and
 * Chatwoot's echo hold the same string.
 *
 * What Chatwoot does, and why each step here:
 * - It first wraps every backtick pair in `{% raw %}`…`{% endraw %}` (modified_liquid_content, regex
 *   /`(.*?)`/m), so text inside backticks is never evaluated: it is left alone here too — an escape
 *   inside would itself be shown.
 * - Outside backticks, every tag opener (`{{`, `{%`) is replaced by an output tag printing it as a
 *   string literal: `{{ "{{" }}`. Liquid's tokenizer ends that token at its first `}`, and the literal
 *   has none.
 * - A `{` right before a backtick pair would join Chatwoot's inserted `{% raw %}` into `{{% raw %}`
 *   (a syntax error, after which Chatwoot keeps the content AS POSTED, escapes and all): printed the same way.
 * - Inside backticks, an `{% endraw %}` would close Chatwoot's raw block early; there is no escaping
 *   inside raw, so the backticks of such a text are replaced by look-alike ˋ (U+02CB) — the one case
 *   where the note differs from the text, by the glyph of its backticks.
 */

const OPENER = /\{\{|\{%/g;
const CODE_SPAN = /`[\s\S]*?`/g;
const ENDRAW = /\{%-?\s*endraw/;

export function liquidSafe(text: string): string {
  if (!text.includes('{')) return text;
  const spans = [...text.matchAll(CODE_SPAN)];
  if (spans.some((s) => ENDRAW.test(s[0]))) return liquidSafe(text.replaceAll('`', '\u02CB'));
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += escapeOutside(text.slice(at, span.index), true) + span[0];
    at = span.index + span[0].length;
  }
  return out + escapeOutside(text.slice(at), false);
}

function escapeOutside(segment: string, beforeCodeSpan: boolean): string {
  const escaped = segment.replace(OPENER, (opener) => printed(opener));
  return beforeCodeSpan && escaped.endsWith('{') ? `${escaped.slice(0, -1)}${printed('{')}` : escaped;
}

const printed = (literal: string): string => `{{ "${literal}" }}`;
