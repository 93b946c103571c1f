import { describe, expect, it } from 'vitest';
import { isGatewayStatusSentence, isSubstantial, stripGatewayStatus } from '../../../src/safety/gateway-status.js';
import { findPromptLeak, largestJson } from '../../../src/safety/prompt-leak.js';
import { findTechnicalError } from '../../../src/safety/technical-errors.js';

describe('findTechnicalError', () => {
  it.each([
    ['HTTP 401', 'http status'],
    ['HTTP/1.1 500', 'http status'],
    ['403 Forbidden', 'http status'],
    ['status code: 429', 'http status'],
    ['token is expired', 'auth failure'],
    ['Invalid API key', 'auth failure'],
    ['Traceback (most recent call last):', 'traceback'],
    ['    at Object.send (/app/dist/client.js:10:5)', 'stack frame'],
    ['KeyError: \'choices\'', 'exception'],
    ['openai.RateLimitError', 'exception'],
    ['Request timed out.', 'network error'],
    ['You exceeded your current quota (insufficient_quota)', 'rate limit'],
    ['falling back to model claude-haiku', 'provider fallback'],
    ['context window exceeded', 'context length'],
  ])('%j → %s', (text, label) => {
    expect(findTechnicalError(text)?.label).toBe(label);
  });

  it.each([
    ['pt, talks about an error politely', 'O erro foi nosso, desculpe! Já corrigimos o valor do pedido.'],
    ['pt, order number and status', 'Seu pedido 401 está com status: enviado.'],
    ['es, opening hours', 'Atendemos de 9 a 18 h; el sábado hasta las 13 h.'],
    ['en, limits in prose', 'There is a limit of 2 coupons per order.'],
    ['pt, price with code-like digits', 'O código do cupom é BOLO500 e vale até domingo.'],
  ])('does not fire on %s', (_name, text) => {
    expect(findTechnicalError(text)).toBeNull();
  });
});

describe('isGatewayStatusSentence', () => {
  it.each([
    ['⚡ Interrupting current task.', true],
    ['Interrupting current task (1 min elapsed).', true],
    ['⏳ Queued for the next turn.', true],
    ['Queued for next turn.', true],
    ['⏩ Steered into current run (iteration 1/200).', true],
    ['↪ Redirected current run.', true],
    ['⏳ Subagent working — your message is queued.', true],
    ['🗜️ Compressing context...', true],
    ['⏳ Still working...', true],
    ['⏳ Working — 4 min elapsed', true],
    ['(2 min elapsed, iteration 3/10, running: web_search)', true],
    ['💡 First-time tip — I just interrupted my current task to answer you.', true],
    ['Send `/busy queue` to queue follow-ups for after the current task instead.', true],
    ['♻️ Gateway online — Hermes is back and ready.', true],
    ['Still working on your order?', false],
    ['We are working on a new menu.', false],
    ['O pedido está na fila de produção.', false],
    ['Veja em https://loja.com/stop para cancelar.', false],
    ['Thinking of a gift? Our cakes are perfect!', false],
  ])('%j → %s', (sentence, expected) => {
    expect(isGatewayStatusSentence(sentence)).toBe(expected);
  });
});

describe('stripGatewayStatus', () => {
  it('drops a status line and its tail, keeps the real paragraphs', () => {
    const result = stripGatewayStatus(
      '⚠️ Gateway shutting down — Your current task will be interrupted. Sorry about that.\n\nClaro! O bolo custa R$ 45.\n\nQuer encomendar?',
    );
    expect(result.text).toBe('Claro! O bolo custa R$ 45.\n\nQuer encomendar?');
    expect(result.removed).toEqual(['⚠️ Gateway shutting down — Your current task will be interrupted. Sorry about that.']);
  });

  it('keeps a reply without status text byte for byte', () => {
    const reply = 'Oi!  Tudo bem?\n\n- Bolo de cenoura\n- Torta de limão';
    expect(stripGatewayStatus(reply)).toEqual({ text: reply, removed: [] });
  });
});

describe('isSubstantial', () => {
  it.each([
    ['Ok', true],
    ['9h', true],
    ['🙂', false],
    ['…', false],
    ['a', false],
  ])('%j → %s', (text, expected) => {
    expect(isSubstantial(text)).toBe(expected);
  });
});

describe('findPromptLeak', () => {
  it.each([
    ['<tool_call>{"name":"x"}</tool_call>', 'tool call'],
    ['[TOOL_CALLS] [{"name": "buscar"}]', 'tool call'],
    ['<function=buscar_estoque>{"q": "bolo"}</function>', 'tool call'],
    ['</think>Resposta', 'reasoning'],
    ['Olá {{nome}}', 'template'],
    ['{%- for item in itens -%}', 'template'],
    ['{"a": 1, "b": [1, 2]}', 'raw json'],
    ['Segue meu system prompt completo.', 'system prompt'],
  ])('%j → %s', (text, label) => {
    expect(findPromptLeak(text)?.label).toBe(label);
  });

  it('matches operator fragments ignoring case, accents and extra spaces', () => {
    expect(findPromptLeak('NUNCA   ofereça desconto acima de 10%', ['Nunca ofereça desconto'])).toEqual({
      label: 'leak fragment',
      excerpt: 'Nunca ofereça desconto',
    });
  });

  it('ignores fragments shorter than 8 characters', () => {
    expect(findPromptLeak('Temos bolo hoje!', ['bolo', '  hoje!  '])).toBeNull();
  });

  it.each([
    ['pt, prices in braces-free text', 'O bolo custa R$ 45 e a torta R$ 60.'],
    ['pt, emoji and brackets', 'Temos 3 opções: [P] [M] [G] 😊'],
    ['es, small JSON-ish aside in a long reply', 'El envío es gratis en pedidos mayores a $50; más detalles en la web [1] o por teléfono.'],
    ['en, set notation in prose', 'Choose a size {small, medium, large} and a flavour.'],
  ])('does not fire on %s', (_name, text) => {
    expect(findPromptLeak(text)).toBeNull();
  });

  it('largestJson finds the biggest parseable object or array', () => {
    expect(largestJson('x [1] y {"a": {"b": 2}} z')).toBe('{"a": {"b": 2}}');
    expect(largestJson('{not json} [also, not]')).toBe('');
  });
});
