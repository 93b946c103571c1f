/**
 * How Chatwoot v4.15.1 renders outgoing content as a Liquid template before storing it
 * (app/models/concerns/liquidable.rb, `before_create :process_liquid_in_content`), on the gem it ships
 * (liquid 5.4.0, lax mode):
 * - only `outgoing` and `template` messages with content: replies AND private notes, never incoming;
 * - text between a pair of backticks is protected first: `(.*?)` (multi-line) becomes
 *   `{% raw %}`…`{% endraw %}`;
 * - a Liquid::Error while parsing (an unterminated `{{`, an unknown tag, a stray `{% endraw %}`…)
 *   keeps the content exactly as posted;
 * - variables are the five drops of `message_drops` (app/drops/*.rb); an unknown variable or method
 *   renders as an empty string.
 *
 * The fake implements the parts of Liquid a bot's text can run into: output tags with variables and
 * literals, whitespace control, `raw`, `comment`, a few filters. A known Liquid tag or filter it does
 * not implement is reported through `unsupported` (a test then sees a violation instead of a guess).
 */

export interface LiquidContext {
  contact: { id: number; name: string | null; email: string | null; phoneNumber: string | null; customAttributes: Record<string, unknown> };
  /** UserDrop.new(sender || conversation.assignee): the bot itself for a bot's message (AgentBot has a name, no email). */
  agent: { id: number; name: string | null; availableName: string | null; email: string | null } | null;
  conversation: { id: number; displayId: number; customAttributes: Record<string, unknown> };
  inbox: { id: number; name: string };
  account: { id: number; name: string };
}

class LiquidSyntaxError extends Error {}

const KNOWN_TAGS_NOT_IMPLEMENTED = new Set([
  'assign', 'capture', 'case', 'cycle', 'decrement', 'echo', 'for', 'if', 'ifchanged', 'include',
  'increment', 'liquid', 'render', 'tablerow', 'unless', 'break', 'continue',
]);

/** Liquid 5.4's tokenizer: TemplateParser = /(#{PartialTemplateParser}|#{AnyStartingTag})/om. */
const TEMPLATE_PARSER = /(\{%[\s\S]*?%\}|\{\{[\s\S]*?\}\}?|\{%|\{\{)/;
const FULL_TOKEN = /^\{%-?(\s*)(\w+)(\s*)([\s\S]*?)-?%\}$/;
const FULL_TOKEN_POSSIBLY_INVALID = /^([\s\S]*)\{%-?\s*(\w+)\s*([\s\S]*)?-?%\}$/;
const CONTENT_OF_VARIABLE = /^\{\{-?([\s\S]*?)-?\}\}$/;
const QUOTED_FRAGMENT = /"[^"]*"|'[^']*'|(?:[^\s,|'"]|"[^"]*"|'[^']*')+/;

/** Chatwoot's Liquidable#process_liquid_in_content for one outgoing message's content. */
export function renderOutgoingContent(content: string, ctx: LiquidContext, unsupported: (what: string) => void): string {
  if (content.trim() === '') return content;
  // modified_liquid_content: no Liquid inside code spans.
  const modified = content.replace(/`([\s\S]*?)`/g, '{% raw %}`$1`{% endraw %}');
  try {
    return render(modified, ctx, unsupported);
  } catch (error) {
    if (error instanceof LiquidSyntaxError) return content; // rescue Liquid::Error: content stays as posted
    throw error;
  }
}

function render(source: string, ctx: LiquidContext, unsupported: (what: string) => void): string {
  const tokens = source.split(TEMPLATE_PARSER).filter((t) => t !== '');
  const out: string[] = [];
  let trimNext = false;
  const text = (t: string) => {
    out.push(trimNext ? t.trimStart() : t);
    trimNext = false;
  };
  const control = (token: string) => {
    if (token[2] === '-' && out.length > 0) out[out.length - 1] = out[out.length - 1]!.trimEnd();
    trimNext = token.at(-3) === '-';
  };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token.startsWith('{%')) {
      const m = FULL_TOKEN.exec(token);
      if (!m) throw new LiquidSyntaxError(`Tag '${token}' was not properly terminated`);
      control(token);
      const name = m[2]!;
      if (name === 'raw' || name === 'comment') {
        const end = `end${name}`;
        let body = '';
        let closed = false;
        for (i += 1; i < tokens.length; i += 1) {
          const inner = FULL_TOKEN_POSSIBLY_INVALID.exec(tokens[i]!);
          if (inner && inner[2] === end) {
            body += inner[1] ?? '';
            closed = true;
            break;
          }
          body += tokens[i];
        }
        if (!closed) throw new LiquidSyntaxError(`'${name}' tag was never closed`);
        if (name === 'raw') out.push(body);
        trimNext = tokens[i]!.endsWith('-%}');
        continue;
      }
      if (KNOWN_TAGS_NOT_IMPLEMENTED.has(name)) {
        unsupported(`Liquid tag '${name}'`);
        continue;
      }
      // Unknown tags and stray end tags (endraw, endif…) are syntax errors in Liquid 5.4.
      throw new LiquidSyntaxError(`Unknown tag '${name}'`);
    }
    if (token.startsWith('{{')) {
      const m = CONTENT_OF_VARIABLE.exec(token);
      if (!m) throw new LiquidSyntaxError(`Variable '${token}' was not properly terminated`);
      control(token);
      out.push(renderVariable(m[1]!, ctx, unsupported));
      continue;
    }
    text(token);
  }
  return out.join('');
}

/** Variable#lax_parse: the first quoted fragment is the expression, then `| filter: args`. */
function renderVariable(markup: string, ctx: LiquidContext, unsupported: (what: string) => void): string {
  const m = QUOTED_FRAGMENT.exec(markup);
  if (!m) return '';
  let value = evaluate(m[0], ctx);
  const filters = markup.slice(m.index + m[0].length).split('|').slice(1);
  for (const filter of filters) {
    const [name = '', args = ''] = filter.split(':');
    const arg = args.trim() ? evaluate(args.trim().split(',')[0]!.trim(), ctx) : undefined;
    switch (name.trim()) {
      case 'upcase':
        value = toText(value).toUpperCase();
        break;
      case 'downcase':
        value = toText(value).toLowerCase();
        break;
      case 'capitalize':
        value = toText(value).charAt(0).toUpperCase() + toText(value).slice(1);
        break;
      case 'default':
        if (value === null || value === undefined || value === '' || value === false) value = arg;
        break;
      default:
        unsupported(`Liquid filter '${name.trim()}'`);
    }
  }
  return toText(value);
}

function toText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Expression.parse: literals, else a variable lookup among the drops. */
function evaluate(expression: string, ctx: LiquidContext): unknown {
  const quoted = /^(?:"([^"]*)"|'([^']*)')$/.exec(expression);
  if (quoted) return quoted[1] ?? quoted[2];
  if (/^-?\d+$/.test(expression)) return Number(expression);
  if (/^-?\d+\.\d+$/.test(expression)) return Number(expression);
  if (expression === 'nil' || expression === 'null') return null;
  if (expression === 'true') return true;
  if (expression === 'false') return false;
  if (expression === 'empty' || expression === 'blank') return '';
  const path = [...expression.matchAll(/\[\s*(?:"([^"]*)"|'([^']*)')\s*\]|([\w-]+\??)/g)].map((p) => p[1] ?? p[2] ?? p[3]!);
  let value: unknown = drops(ctx)[path[0] ?? ''];
  for (const key of path.slice(1)) {
    if (value === null || value === undefined || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'object' && value !== null && 'drop' in value) return (value as { drop: string }).drop;
  return value ?? null;
}

const capitalizeWords = (name: string | null): string | null => (name === null ? null : name.split(/\s+/).filter(Boolean).map(capitalize).join(' '));
const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
const words = (name: string | null): string[] => (name ?? '').split(/\s+/).filter(Boolean);

/** The drops of Liquidable#message_drops, with the methods app/drops/*.rb define (and BaseDrop's id, name). */
function drops(ctx: LiquidContext): Record<string, unknown> {
  const contactWords = words(ctx.contact.name);
  const agentWords = words(ctx.agent?.name ?? null);
  return {
    contact: {
      drop: 'ContactDrop',
      id: ctx.contact.id,
      name: capitalizeWords(ctx.contact.name),
      email: ctx.contact.email,
      phone_number: ctx.contact.phoneNumber,
      first_name: contactWords[0] ? capitalize(contactWords[0]) : null,
      last_name: contactWords.length > 1 ? capitalize(contactWords.at(-1)!) : null,
      custom_attribute: ctx.contact.customAttributes,
    },
    agent: {
      drop: 'UserDrop',
      id: ctx.agent?.id ?? null,
      name: capitalizeWords(ctx.agent?.name ?? null),
      available_name: ctx.agent?.availableName ?? null,
      email: ctx.agent?.email ?? null,
      first_name: agentWords[0] ? capitalize(agentWords[0]) : null,
      last_name: agentWords.length > 1 ? capitalize(agentWords.at(-1)!) : null,
    },
    conversation: {
      drop: 'ConversationDrop',
      id: ctx.conversation.id,
      display_id: ctx.conversation.displayId,
      // name.try(:capitalize): only the first letter up, the rest down.
      contact_name: ctx.contact.name ? capitalize(ctx.contact.name) : 'Customer',
      custom_attribute: ctx.conversation.customAttributes,
    },
    inbox: { drop: 'InboxDrop', id: ctx.inbox.id, name: ctx.inbox.name },
    account: { drop: 'AccountDrop', id: ctx.account.id, name: ctx.account.name },
  };
}
