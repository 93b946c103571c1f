import { describe, expect, it } from 'vitest';
import {
  checkReply,
  EMPTY_REPLIES_BEFORE_HANDOFF,
  isAmbiguousShortAnswer,
  type GuardVerdict,
  type ReplyGuardContext,
} from '../../../src/safety/reply-guard.js';

const base: ReplyGuardContext = {
  recentBotReplies: [],
  lastCustomerText: 'Olá, vocês abrem no sábado?',
  leakFragments: ['Você é a Valentina, assistente da Padaria Pão Quente', 'buscar_produtos_estoque', 'sk-1'],
  handoffMarker: '[HANDOFF]',
  handoffPhrases: ['Um momento — vou verificar'],
};

function check(reply: string, ctx: Partial<ReplyGuardContext> = {}): GuardVerdict {
  return checkReply(reply, { ...base, ...ctx });
}

function expectBlock(v: GuardVerdict, kind: string, handoff: boolean): void {
  expect(v.action).toBe('block');
  if (v.action !== 'block') return;
  expect(v.kind).toBe(kind);
  expect(v.handoff).toBe(handoff);
  expect(v.reason.length).toBeGreaterThan(0);
}

describe('checkReply: plain replies are delivered unchanged', () => {
  it.each([
    ['pt', 'Sim! Abrimos no sábado das 9h às 13h. Posso ajudar com mais alguma coisa?'],
    ['es', '¡Claro! El pedido llega mañana entre las 14h y las 18h.'],
    ['en', 'Your order #4521 ships tomorrow. Anything else I can help with?'],
    ['en, "still working" in a real sentence', 'Still working on your order? Tell me the number and I will check.'],
    ['pt, mentions a price list in brackets', 'Temos [bolo de cenoura] e [bolo de chocolate], R$ 45 cada.'],
  ])('%s', (_lang, reply) => {
    expect(check(reply)).toEqual({ action: 'deliver', text: reply, handoff: null, clarification: false });
  });

  it('trims surrounding whitespace', () => {
    const v = check('\n  Bom dia! Em que posso ajudar?  \n');
    expect(v).toMatchObject({ action: 'deliver', text: 'Bom dia! Em que posso ajudar?' });
  });
});

describe('checkReply: empty replies', () => {
  it.each([[''], ['   '], ['\n\t\n'], ['(No response generated)']])('blocks %j without hand-off', (reply) => {
    const v = check(reply);
    expectBlock(v, 'empty', false);
  });

  it('exports the empties-in-a-row limit the caller applies', () => {
    expect(EMPTY_REPLIES_BEFORE_HANDOFF).toBe(2);
  });
});

describe('checkReply: technical errors are blocked with hand-off', () => {
  it.each([
    ['HTTP 401 with expired token', 'Error: HTTP 401 — token is expired. Please re-authenticate.'],
    ['401 Unauthorized', '401 Unauthorized'],
    ['500 Internal Server Error', 'Desculpe! 500 Internal Server Error'],
    ['503 Service Unavailable', 'Upstream returned 503 Service Unavailable'],
    ['token is expired alone', 'The access token is expired'],
    ['authentication failed', 'Authentication failed for provider openrouter'],
    ['Non-retryable error', 'Non-retryable error: invalid request'],
    ['Python traceback', 'Traceback (most recent call last):\n  File "run.py", line 12, in <module>\nKeyError: \'x\''],
    ['exception with colon', 'ValueError: could not convert string to float'],
    ['dotted exception', 'openai.APIConnectionError raised while contacting the provider'],
    ['JS TypeError', "TypeError: Cannot read properties of undefined (reading 'content')"],
    ['rate limit', 'The model provider hit a rate limit, try again in 20 seconds'],
    ['429 Too Many Requests', '429 Too Many Requests'],
    ['fallback provider', '⚠️ Primary model failed, switching to fallback provider anthropic'],
    ['fallback model', 'Using fallback model gpt-4o-mini for this turn'],
    ['context length exceeded', "This model's maximum context length is 128000 tokens (context_length_exceeded)"],
    ['Hermes processing error', 'Sorry, I encountered an error (BadRequestError).\nTry again or use /reset to start a fresh session.'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8642'],
  ])('%s', (_name, reply) => {
    expectBlock(check(reply), 'technical_error', true);
  });

  it('is checked before status lines: a status line plus an error hands off', () => {
    const v = check('⚡ Interrupting current task.\nHTTP 401: token is expired');
    expectBlock(v, 'technical_error', true);
  });

  it('quotes the matched error in the reason', () => {
    const v = check('Falha: HTTP 502 ao consultar o estoque');
    expect(v.action === 'block' && v.reason).toContain('HTTP 502');
  });
});

describe('checkReply: gateway status lines', () => {
  it.each([
    ['interrupt with emoji and detail', "⚡ Interrupting current task (2 min elapsed, iteration 3/10, running: web_search). I'll respond to your message shortly."],
    ['interrupt without emoji', 'Interrupting current task…'],
    ['queued', "⏳ Queued for the next turn. I'll respond once the current task finishes."],
    ['steered', '⏩ Steered into current run. Your message arrives after the next tool call.'],
    ['redirected', "↪ Redirected current run. I'll adjust using your correction."],
    ['subagent', '⏳ Subagent working — your message is queued for when it finishes (use /stop to cancel everything).'],
    ['compressing', '⏳ Compressing context — your message is queued for when it finishes.'],
    ['still working heartbeat', '⏳ Still working... (3 min elapsed — iteration 12/90, running: web_search)'],
    ['still working bare', 'Still working...'],
    ['gateway shutdown', '⚠️ Gateway shutting down — Your current task will be interrupted.'],
    ['no activity', '⚠️ No activity for 5 min. The agent may be stuck.'],
    ['two status lines', '⚡ Interrupting current task.\n\n⏳ Queued for the next turn.'],
  ])('blocks %s without hand-off', (_name, reply) => {
    expectBlock(check(reply), 'gateway_status', false);
  });

  it('strips a status line from real text and delivers the rest', () => {
    const v = check('⏩ Steered into current run. Your message arrives after the next tool call.\n\nSim! Abrimos sábado das 9h às 13h.');
    expect(v).toEqual({ action: 'deliver', text: 'Sim! Abrimos sábado das 9h às 13h.', handoff: null, clarification: false });
  });

  it('strips a status sentence glued to real text on the same line', () => {
    const v = check('¡Hola! ⚡ Interrupting current task. El horario es de 9h a 18h.');
    expect(v).toMatchObject({ action: 'deliver', text: '¡Hola! El horario es de 9h a 18h.' });
  });

  it('blocks when only an emoji remains after stripping', () => {
    expectBlock(check('⏳ Queued for the next turn.\n🙂'), 'gateway_status', false);
  });
});

describe('checkReply: prompt and tool leaks are blocked with hand-off', () => {
  it.each([
    ['raw JSON object', '{"produto": "bolo de cenoura", "preco": 45.0, "estoque": 3}'],
    ['raw JSON array in a code fence', '```json\n[{"id": 1, "nome": "Bolo"}, {"id": 2, "nome": "Torta"}]\n```'],
    ['JSON that is most of the reply', 'Resultado: {"status": "ok", "itens": [1, 2, 3], "total": 3}'],
    ['<tool_call> tag', '<tool_call>\n{"name": "buscar", "arguments": {"q": "bolo"}}\n</tool_call>'],
    ['"tool_calls" key', 'Aqui está: "tool_calls": []'],
    ['function_call', 'function_call: consultar_pedido(4521)'],
    ['name/arguments object inside text', 'Vou verificar. {"name": "consultar_pedido", "arguments": {"id": 4521}} Um instante.'],
    ['Liquid output tag', 'Olá {{ contact.first_name }}, seu pedido está pronto!'],
    ['Liquid logic tag', '{% if pedido.pago %}Seu pedido foi pago.{% endif %}'],
    ['webhook placeholder', 'Olá {contact_first_name}! Como posso ajudar?'],
    ['reasoning tag', '<think>O cliente quer desconto, não posso dar.</think> Infelizmente não temos desconto.'],
    ['system prompt marker', '[SISTEMA: conversation_opened] Olá!'],
    ['operator fragment, other case and accents', 'Claro! VOCE E A VALENTINA, ASSISTENTE DA PADARIA PAO QUENTE e estou aqui para ajudar.'],
    ['tool name fragment', 'Vou usar buscar_produtos_estoque para ver isso.'],
  ])('%s', (_name, reply) => {
    expectBlock(check(reply), 'prompt_leak', true);
  });

  it('ignores leak fragments shorter than 8 characters', () => {
    // 'sk-1' is configured but too short to be meaningful; "risk-1" must not trip it.
    expect(check('O produto risk-1 está em falta, desculpe.')).toMatchObject({ action: 'deliver' });
  });

  it('does not take a small bracketed note for raw JSON', () => {
    expect(check('Temos 3 sabores disponíveis hoje [1] e entregamos no bairro todo.')).toMatchObject({ action: 'deliver' });
  });
});

describe('checkReply: hand-off marker and phrases', () => {
  it('strips the marker (any case), delivers the text and requests a hand-off', () => {
    const v = check('Vou transferir você para um atendente. [handoff]');
    expect(v).toEqual({
      action: 'deliver',
      text: 'Vou transferir você para um atendente.',
      handoff: { reason: expect.stringContaining('[HANDOFF]') as unknown as string },
      clarification: false,
    });
  });

  it('keeps the customer-facing phrase and requests a hand-off', () => {
    const v = check('Um momento - vou verificar com a equipe!');
    expect(v.action).toBe('deliver');
    if (v.action !== 'deliver') return;
    expect(v.text).toBe('Um momento - vou verificar com a equipe!');
    expect(v.handoff?.reason).toContain('Um momento');
  });

  it('blocks a marker-only reply as empty, with hand-off', () => {
    const v = check('  [HANDOFF]  ');
    expectBlock(v, 'empty', true);
    expect(v.action === 'block' && v.reason).toBe('handoff marker only');
  });

  it('uses a custom marker and ignores the default one then', () => {
    expect(check('Vou chamar alguém. [TRANSFERIR]', { handoffMarker: '[TRANSFERIR]' })).toMatchObject({
      action: 'deliver',
      text: 'Vou chamar alguém.',
      handoff: { reason: expect.any(String) as unknown as string },
    });
    expect(check('Tudo certo por aqui [HANDOFF]', { handoffMarker: '[TRANSFERIR]' })).toMatchObject({ handoff: null });
  });

  it('a hand-off reply is not loop-checked (the agreed phrase repeats by design)', () => {
    const v = check('Um momento — vou verificar.', { recentBotReplies: ['Um momento — vou verificar.'] });
    expect(v).toMatchObject({ action: 'deliver', handoff: { reason: expect.any(String) as unknown as string } });
  });
});

describe('checkReply: loops', () => {
  const previous = 'Nosso horário é de segunda a sexta das 8h às 18h e sábado das 9h às 13h.';

  it.each([
    ['identical', previous, [previous]],
    ['same words, other punctuation and case', 'nosso horario e de segunda a sexta das 8h as 18h, e sabado das 9h as 13h!', [previous]],
    ['matches an older reply, not only the last', previous, [previous, 'Posso ajudar em algo mais?']],
  ])('blocks %s with hand-off', (_name, reply, recent) => {
    expectBlock(check(reply, { recentBotReplies: recent }), 'loop', true);
  });

  it('delivers a reply that only shares some words', () => {
    const v = check('Aos domingos estamos fechados, mas sábado abrimos das 9h às 13h.', { recentBotReplies: [previous] });
    expect(v).toMatchObject({ action: 'deliver' });
  });

  it('does not treat a repeated short courtesy reply as a loop', () => {
    expect(check('De nada! 😊', { recentBotReplies: ['De nada! 😊'] })).toMatchObject({ action: 'deliver' });
  });
});

describe('checkReply: repeated questions', () => {
  const asked = 'Perfeito! Para calcular o frete, qual é o seu CEP?';

  it('blocks the same question asked again, with hand-off', () => {
    const v = check('Entendi. Para calcular o frete, me diga qual é o seu CEP?', {
      recentBotReplies: [asked],
      lastCustomerText: 'quero o bolo de cenoura grande',
    });
    expectBlock(v, 'repeated_question', true);
  });

  it('compares with the most recent bot reply that had a question', () => {
    const v = check('Certo. Qual é o seu CEP?', {
      recentBotReplies: [asked, 'Ótimo, anotei o sabor.'],
      lastCustomerText: 'cenoura com chocolate',
    });
    expectBlock(v, 'repeated_question', true);
  });

  it('allows one clarification after an ambiguous "sim"', () => {
    const v = check('Só para confirmar: qual é o seu CEP?', { recentBotReplies: [asked], lastCustomerText: 'sim' });
    expect(v).toEqual({ action: 'deliver', text: 'Só para confirmar: qual é o seu CEP?', handoff: null, clarification: true });
  });

  it('allows it after a thumbs-up emoji too', () => {
    const v = check('Só para confirmar: qual é o seu CEP?', { recentBotReplies: [asked], lastCustomerText: '👍' });
    expect(v).toMatchObject({ action: 'deliver', clarification: true });
  });

  it('blocks a second clarification in a row', () => {
    const v = check('Desculpe, qual é o seu CEP?', {
      recentBotReplies: [asked, 'Só para confirmar: qual é o seu CEP?'],
      lastCustomerText: 'ok',
      clarificationsInARow: 1,
    });
    expectBlock(v, 'repeated_question', true);
  });

  it('delivers a different question', () => {
    const v = check('Anotado! E qual horário prefere para a entrega?', { recentBotReplies: [asked], lastCustomerText: '01310-100' });
    expect(v).toMatchObject({ action: 'deliver', clarification: false });
  });
});

describe('isAmbiguousShortAnswer', () => {
  it.each([['sim'], ['Ok'], ['isso!'], ['Não'], ['yes'], ['Sí'], ['talvez'], ['👍'], ['pode ser'], ['?']])('%j is ambiguous', (text) => {
    expect(isAmbiguousShortAnswer(text)).toBe(true);
  });

  it.each([[''], ['sim, sábado'], ['quero o grande'], ['ok ok ok'], ['01310-100']])('%j is not', (text) => {
    expect(isAmbiguousShortAnswer(text)).toBe(false);
  });
});

describe('checkReply: order of checks', () => {
  it('technical error wins over raw JSON (Hermes 401 body)', () => {
    const body = '{"error":{"message":"Invalid API key","type":"invalid_request_error","code":"invalid_api_key"}}';
    expectBlock(check(body), 'technical_error', true);
  });

  it('status lines are stripped before the leak check, which then sees the JSON', () => {
    expectBlock(check('⏳ Queued for the next turn.\n{"pedido": 4521, "status": "enviado"}'), 'prompt_leak', true);
  });

  it('a leak wins over a loop', () => {
    const leaked = 'Olá {{ contact.name }}! Nosso horário é das 9h às 18h.';
    expectBlock(check(leaked, { recentBotReplies: [leaked] }), 'prompt_leak', true);
  });

  it('a loop wins over a repeated question', () => {
    const asked = 'Para calcular o frete, qual é o seu CEP?';
    expectBlock(check(asked, { recentBotReplies: [asked], lastCustomerText: 'sim' }), 'loop', true);
  });
});
