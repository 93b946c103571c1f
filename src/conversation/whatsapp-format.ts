/**
 * CommonMark → WhatsApp markup, for Chatwoot OLDER than v4.9.0 only.
 *
 * Since v4.9.0 Chatwoot converts CommonMark itself (`Messages::MarkdownRenderers::WhatsAppRenderer`,
 * chatwoot.md §8), so the service must send CommonMark there and NOT call this function. It is not
 * idempotent: WhatsApp's bold `*x*` is CommonMark's italic, so converting twice (here, then in Chatwoot,
 * or here twice) turns **bold** into _italic_ (lessons.md A.7).
 *
 * Conversions:
 * - `**b**` / `__b__` → `*b*`; `***bi***` → `*_bi_*`; headings `# T` → `*T*`
 * - `*i*` → `_i_` (`_i_` is already WhatsApp italic and stays)
 * - `~~s~~` → `~s~`
 * - `[text](url)` → `text (url)`; `[url](url)`, `<url>` and `![](url)` → `url`; `![alt](url)` → `alt (url)`
 * - list bullets `* item` / `+ item` → `- item`
 * - code spans, fenced code blocks and URLs are left exactly as they are; `\*` escapes become a literal `*`.
 */

const TOKEN_OPEN = '\uE000';
const TOKEN_CLOSE = '\uE001';
const BOLD = '\uE002';
const ITALIC = '\uE003';

const FENCED_CODE = /^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm;
const CODE_SPAN = /``[^\n]*?``|`[^`\n]+`/g;
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
const LINK = /(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"\n]*")?\s*\)/g;
const AUTOLINK = /<((?:https?|mailto):[^\s<>]+)>/gi;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>\uE000-\uE003]+/gi;
const HEADING = /^[ \t]{0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/gm;
const BULLET = /^([ \t]*)[*+][ \t]+/gm;
const BOLD_ITALIC = /\*\*\*(?=\S)([^\n]*?\S)\*\*\*/g;
const BOLD_STARS = /\*\*(?=\S)([^\n]*?\S)\*\*/g;
const BOLD_UNDERSCORES = /(^|[^\p{L}\p{N}_])__(?=\S)([^\n]*?\S)__(?![\p{L}\p{N}_])/gmu;
const ITALIC_STAR = /(^|[^\p{L}\p{N}*])\*(?=[^\s*])([^\n*]*?[^\s*])\*(?![\p{L}\p{N}*])/gmu;
const STRIKE = /~~(?=\S)([^\n]*?\S)~~/g;
const RESTORE = /\uE000(\d+)\uE001/g;

function sameUrl(text: string, url: string): boolean {
  const strip = (s: string) => s.trim().replace(/^(?:https?:\/\/|mailto:)/i, '').replace(/\/$/, '');
  return strip(text) === strip(url);
}

/** Converts CommonMark to legacy WhatsApp markup. Only for Chatwoot < 4.9; see the module comment. */
export function toLegacyWhatsApp(markdown: string): string {
  const stash: string[] = [];
  const protect = (s: string): string => {
    stash.push(s);
    return `${TOKEN_OPEN}${stash.length - 1}${TOKEN_CLOSE}`;
  };

  let text = markdown.replace(/\r\n?/g, '\n');
  text = text.replace(FENCED_CODE, (m) => protect(m));
  text = text.replace(CODE_SPAN, (m) => protect(m));
  text = text.replace(ESCAPE, (_m, ch: string) => protect(ch));
  text = text.replace(LINK, (_m, _bang: string, label: string, url: string) => {
    const shown = label.trim();
    if (shown === '' || sameUrl(shown, url)) return protect(url);
    return `${shown} (${protect(url)})`;
  });
  text = text.replace(AUTOLINK, (_m, url: string) => protect(url));
  text = text.replace(BARE_URL, (m) => protect(m));
  text = text.replace(HEADING, (_m, title: string) => `${BOLD}${title.replace(/\*\*|__/g, '')}${BOLD}`);
  text = text.replace(BULLET, '$1- ');
  text = text.replace(BOLD_ITALIC, `${BOLD}${ITALIC}$1${ITALIC}${BOLD}`);
  text = text.replace(BOLD_STARS, `${BOLD}$1${BOLD}`);
  text = text.replace(BOLD_UNDERSCORES, `$1${BOLD}$2${BOLD}`);
  text = text.replace(ITALIC_STAR, `$1${ITALIC}$2${ITALIC}`);
  text = text.replace(STRIKE, '~$1~');

  text = text.replaceAll(BOLD, '*').replaceAll(ITALIC, '_');
  return text.replace(RESTORE, (_m, index: string) => stash[Number(index)] ?? '');
}
