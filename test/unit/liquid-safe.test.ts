/**
 * liquidSafe against the fake's rendition of Chatwoot's Liquid (test/fakes/chatwoot/liquid.ts, liquid 5.4
 * lax as liquidable.rb runs it): whatever the bot posts, Chatwoot must store the text itself.
 */
import { describe, expect, it } from 'vitest';
import { liquidSafe } from '../../src/chatwoot/liquid.js';
import { renderOutgoingContent, type LiquidContext } from '../fakes/chatwoot/liquid.js';

const ctx: LiquidContext = {
  contact: { id: 3120, name: 'maria da silva', email: 'maria@example.com', phoneNumber: '+5511987654321', customAttributes: { plano: 'ouro' } },
  agent: { id: 4, name: 'Assistente Acme', availableName: null, email: null },
  conversation: { id: 501042, displayId: 1042, customAttributes: {} },
  inbox: { id: 7, name: 'WhatsApp Vendas' },
  account: { id: 1, name: 'Acme Ltda' },
};
const unsupported: string[] = [];
const chatwootStores = (posted: string) => renderOutgoingContent(posted, ctx, (what) => unsupported.push(what));

describe("the fake's Liquid renders as Chatwoot does", () => {
  it('evaluates the drops of liquidable.rb; unknown variables render empty', () => {
    expect(chatwootStores('Olá {{contact.first_name}} ({{ contact.name }}), {{ conversation.display_id }} em {{inbox.name}} / {{account.name}}')).toBe(
      'Olá Maria (Maria Da Silva), 1042 em WhatsApp Vendas / Acme Ltda',
    );
    expect(chatwootStores('{{ contact.custom_attribute.plano }}|{{ nada.aqui }}|{{ contact.phone_number }}')).toBe('ouro||+5511987654321');
  });
  it('leaves code spans alone, and keeps the content as posted on a syntax error', () => {
    expect(chatwootStores('use `{{contact.name}}` e {{contact.first_name}}')).toBe('use `{{contact.name}}` e Maria');
    expect(chatwootStores('abre {{ e não fecha')).toBe('abre {{ e não fecha');
    expect(chatwootStores('{% endraw %} solto')).toBe('{% endraw %} solto');
    expect(chatwootStores('{% raw %}{{x}}{% endraw %} e {{- "a" -}} b')).toBe('{{x}} eab');
  });
});

describe('liquidSafe', () => {
  const texts = [
    'Olá! Tudo bem?',
    'Blocked a reply from Hermes (prompt_leak): template.\n---\nOlá {{ contact.name }}, seu pedido {{order.id}} chegou',
    'Cliente escreveu: {% if x %}sim{% endif %} e {{',
    '{{{ triplo }}} e {{% misto %}} e {%- ws -%} e {{- ws -}}',
    'chaves soltas { } }} %} {',
    'código `{{ contact.name }}` fora {{ contact.name }}',
    'antes {`{{x}}` depois',
    'crase sem par ` e {{x}}',
    'dentro `{% endraw %} {{x}}` fora {{y}}',
    'multi\nlinha `a\n{{b}}\nc` {%d%}',
    '{{ "{{" }} já escapado',
    '`{%` x %} e `{{` y }}',
    '',
  ];
  it.each(texts.map((t) => [t]))('Chatwoot stores exactly the text: %j', (text) => {
    const stored = chatwootStores(liquidSafe(text));
    if (text.includes('`{% endraw %}')) expect(stored).toBe(text.replaceAll('`', '\u02CB'));
    else expect(stored).toBe(text);
    expect(unsupported).toEqual([]);
  });
  it('changes nothing in text without Liquid syntax', () => {
    for (const text of ['Sim, abrimos aos sábados das 9h às 13h.', 'use `npm test` {a} {b}', '']) expect(liquidSafe(text)).toBe(text);
  });
  it('survives random mixes of braces, percent signs, backticks and words', () => {
    const alphabet = ['{', '}', '%', '`', '-', ' ', '"', "'", 'a', '\n', '{{', '{%', '%}', '}}', 'endraw', 'raw', '|'];
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
    for (let n = 0; n < 5000; n += 1) {
      const text = Array.from({ length: 1 + (next() % 14) }, () => alphabet[next() % alphabet.length]).join('');
      const stored = chatwootStores(liquidSafe(text));
      // A code span holding an endraw cannot be protected: its backticks become ˋ, everything else stays.
      const endrawInSpan = [...text.matchAll(/`[\s\S]*?`/g)].some((m) => /\{%-?\s*endraw/.test(m[0]));
      const expected = endrawInSpan ? text.replaceAll('`', '\u02CB') : text;
      expect(stored, JSON.stringify(text)).toBe(expected);
    }
  });
});
