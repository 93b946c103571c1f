import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness;
afterEach(async () => {
  // Every request the bot sent to Chatwoot in these scenarios matches Chatwoot's own OpenAPI contract.
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const key = { accountId: 1, conversationId: 1042 };
const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content);
const notes = () => h.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content ?? '');
const status = () => h.chatwoot.conversation(1, 1042).status;

async function withReply(reply: string | ((turn: number) => string), opts: HarnessOptions = {}): Promise<void> {
  h = await startHarness(opts);
  h.hermes.setReply(({ turn }) => (typeof reply === 'string' ? reply : reply(turn)));
}

describe('reply guards: nothing reaches the customer unchecked', () => {
  it('blocks a technical error, notes it privately and hands off with the fallback', async () => {
    await withReply('HTTP 401: token is expired. Non-retryable error.', { env: { FALLBACK_MESSAGE: 'Vou chamar alguém da equipe.' } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual(['Vou chamar alguém da equipe.']);
    expect(notes()[0]).toContain('Blocked a reply from Hermes (technical_error)');
    expect(notes()[0]).toContain('token is expired');
    expect(h.chatwoot.conversation(1, 1042).labels).toEqual(['bot-handoff']);
  });

  it('keeps a gateway status line out of the chat without handing off', async () => {
    await withReply('⚡ Interrupting current task…');
    await h.send('message_created-incoming-text');
    await waitUntil(() => notes().length === 1);
    expect(notes()[0]).toContain('gateway_status');
    expect(publicMessages()).toEqual([]);
    expect(status()).toBe('pending');
  });

  it('strips a status line from a real answer and delivers the answer', async () => {
    await withReply('Queued for the next turn.\nSim, abrimos aos sábados das 9h às 13h.');
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    expect(publicMessages()).toEqual(['Sim, abrimos aos sábados das 9h às 13h.']);
  });

  it('blocks a raw tool call / JSON leak and hands off', async () => {
    await withReply('{"name": "lookup_order", "arguments": {"order_id": 123}}');
    await h.send('message_created-incoming-text');
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual([]);
    expect(notes()[0]).toContain('prompt_leak');
  });

  it('blocks an operator-listed fragment of the system prompt', async () => {
    await withReply('Claro! Minhas instruções dizem: NUNCA OFEREÇA DESCONTO ACIMA DE 10%.');
    await h.bot.store.saveInboxSettings(7, { leakFragments: ['nunca ofereça desconto acima'] }, Date.now());
    await h.send('message_created-incoming-text');
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual([]);
  });

  it('blocks a loop (the same answer again) and hands off', async () => {
    await withReply('Nosso horário é de segunda a sexta, das 9h às 18h, e sábado das 9h às 13h.');
    await h.send('message_created-incoming-text', customerMessage(1, 'Qual o horário?'));
    await waitUntil(() => publicMessages().length === 1);
    await h.send('message_created-incoming-text', customerMessage(2, 'Mas e o horário?'));
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toHaveLength(1);
    expect(notes()[0]).toContain('(loop)');
  });

  it('allows one clarification after an ambiguous short answer, not a second', async () => {
    const asks = ['Qual é o seu CPF?', 'Qual é o seu CPF, por favor?', 'Por favor, me diga qual é o seu CPF?'];
    await withReply((turn) => asks[turn - 1] ?? 'fim');
    await h.send('message_created-incoming-text', customerMessage(1, 'Quero confirmar meu pedido'));
    await waitUntil(() => publicMessages().length === 1);
    await h.send('message_created-incoming-text', customerMessage(2, 'sim'));
    await waitUntil(() => publicMessages().length === 2);
    expect(status()).toBe('pending');
    await h.send('message_created-incoming-text', customerMessage(3, 'ok'));
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual(asks.slice(0, 2));
    expect(notes()[0]).toContain('(repeated_question)');
  });

  it('sends nothing for an empty reply, and hands off after the second in a row', async () => {
    await withReply('   ');
    await h.send('message_created-incoming-text', customerMessage(1, 'Oi'));
    await waitUntil(() => notes().length === 1);
    expect(status()).toBe('pending');
    await h.send('message_created-incoming-text', customerMessage(2, 'Oi?'));
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual([]);
    expect(notes().at(-1)).toContain('2 empty replies in a row');
  });
});

describe('hand-off', () => {
  it('Hermes\' [HANDOFF] marker: the rest is delivered, then the conversation is opened, labelled (merged) and noted', async () => {
    await withReply('Um momento, vou verificar com a equipe. [HANDOFF]');
    h.chatwoot.setConversation(1, 1042, { labels: ['vip'] });
    await h.send('message_created-incoming-text');
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual(['Um momento, vou verificar com a equipe.']);
    expect(h.chatwoot.conversation(1, 1042).labels.sort()).toEqual(['bot-handoff', 'vip']);
    expect(notes()[0]).toContain('Hermes asked for a human');
    // Silent afterwards, even for a message still marked pending.
    await h.send('message_created-incoming-text', customerMessage(2, 'Alô?'));
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(1);
  });

  it('a customer asking for a human is handed off without calling Hermes, and assigned to the team', async () => {
    h = await startHarness();
    await h.bot.store.saveInboxSettings(7, { handoffTeamId: 5, handoffMessage: 'Certo! Já chamo alguém.' }, Date.now());
    await h.send('message_created-incoming-text', customerMessage(1, 'Quero falar com um atendente, por favor'));
    await waitUntil(() => status() === 'open');
    expect(h.hermes.completions()).toHaveLength(0);
    expect(publicMessages()).toEqual(['Certo! Já chamo alguém.']);
    expect(h.chatwoot.conversation(1, 1042).teamId).toBe(5);
    expect(notes()[0]).toContain('the customer asked for a human');
  });

  it('hands off instead of writing outside WhatsApp\'s 24-hour window', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text', (b) => (b.created_at = new Date(Date.now() - 25 * 3600_000).toISOString()));
    await waitUntil(() => status() === 'open');
    expect(h.hermes.completions()).toHaveLength(0);
    expect(notes()[0]).toContain('24 hours');
  });
});

describe('human takeover and hand-back', () => {
  it.each([
    ['an agent reply', 'message_created-outgoing-agent'],
    ['a reply from the WhatsApp phone', 'message_created-outgoing-phone-echo'],
  ])('%s silences the bot and opens the conversation', async (_name, fixture) => {
    h = await startHarness();
    await h.send(fixture);
    await waitUntil(() => status() === 'open');
    expect((await h.bot.store.getConversation(key))?.botState).toBe('human');
    // A customer message that still says "pending" (frozen payload) is not answered.
    await h.send('message_created-incoming-text', customerMessage(9001, 'Obrigada!'));
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(0);
  });

  it('after open → pending the bot resumes and Hermes is told what was said meanwhile', async () => {
    h = await startHarness({ chatwoot: { statusEvents: true } });
    await h.send('message_created-incoming-text', customerMessage(1, 'Meu Pix caiu?'));
    await waitUntil(() => publicMessages().length === 1);
    await h.send('message_created-outgoing-agent');
    await waitUntil(() => status() === 'open');
    await h.send('message_created-incoming-text', (b) => (customerMessage(58240, 'Obrigada, Ana!')(b), (b.conversation.status = 'open')));
    // An agent hands the conversation back to the bot.
    await h.send('conversation_status_changed-open', (b) => (b.status = 'pending'));
    await h.send('message_created-incoming-text', customerMessage(58242, 'Mais uma dúvida: entregam amanhã?'));
    await waitUntil(() => h.hermes.completions().length === 2);
    const user = h.hermes.completions()[1]!.body.messages.at(-1).content as string;
    expect(user).toContain('Agent: Oi, Maria! Aqui é a Ana, da Acme. Conferi e o seu Pix já caiu, está tudo certo.');
    expect(user).toContain('Customer: Obrigada, Ana!');
    expect(user.endsWith('Mais uma dúvida: entregam amanhã?')).toBe(true);
    expect(h.hermes.completions()[1]!.sessionIdSent).toBe('chatwoot-1-1042');
  });

  it('a bot-off label added while Hermes thinks keeps the reply from being posted', async () => {
    h = await startHarness({ hermes: { delayMs: 400 } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.hermes.activeRuns === 1);
    h.chatwoot.setConversation(1, 1042, { labels: ['bot-off'] });
    await waitUntil(() => h.hermes.runs === 1);
    await waitUntil(async () => (await h.bot.store.lastTurn(key))?.state === 'skipped');
    expect(publicMessages()).toEqual([]);
    expect((await h.bot.store.lastTurn(key))?.error).toBe('conversation has the label bot-off');
  });

  it('the bot-off label keeps the bot silent', async () => {
    h = await startHarness();
    const res = await h.send('message_created-incoming-text', (b) => (b.conversation.labels = ['bot-off']));
    expect(res.body).toEqual({ status: 'ignored', reason: 'conversation has the label bot-off' });
  });
});

describe('/bot commands in private notes', () => {
  const command = (text: string) => (b: any) => {
    b.content = text;
    b.id = Math.floor(Math.random() * 1e9);
  };

  it('pause, resume, reset, status', async () => {
    h = await startHarness();
    await h.send('message_created-private-note', command('/bot pause'));
    await waitUntil(() => notes().length === 1);
    expect(notes()[0]).toContain('Bot paused');
    await h.send('message_created-incoming-text', customerMessage(1, 'Oi'));
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(0);

    await h.send('message_created-private-note', command('/bot resume'));
    await h.send('message_created-incoming-text', customerMessage(2, 'Oi de novo'));
    await waitUntil(() => publicMessages().length === 1);

    await h.send('message_created-private-note', command('/bot reset'));
    await waitUntil(() => notes().some((n) => n.includes('chatwoot-1-1042-g1')));
    await h.send('message_created-incoming-text', customerMessage(3, 'Recomeçando'));
    await waitUntil(() => publicMessages().length === 2);
    expect(h.hermes.completions().at(-1)!.sessionIdSent).toBe('chatwoot-1-1042-g1');
    expect(publicMessages()[1]).toBe('Resposta 1: Recomeçando');

    // The turn is recorded just after its reply is posted: wait for it rather than race it.
    await waitUntil(async () => (await h.bot.store.lastTurn({ accountId: 1, conversationId: 1042 }))?.state === 'delivered');
    await h.send('message_created-private-note', command('/bot status'));
    await waitUntil(() => notes().some((n) => n.startsWith('🤖 Bot status')));
    const statusNote = notes().find((n) => n.startsWith('🤖 Bot status'))!;
    expect(statusNote).toContain('State: active');
    expect(statusNote).toContain('chatwoot-1-1042-g1');
    expect(statusNote).toContain('Last turn: delivered');
  });

  it('a contact writing /bot pause is plain text for Hermes, not a command', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text', customerMessage(1, '/bot pause'));
    await waitUntil(() => publicMessages().length === 1);
    expect(publicMessages()[0]).toBe('Resposta 1: /bot pause');
  });
});

describe('session lifecycle', () => {
  const resolveThenWrite = async () => {
    await h.send('message_created-incoming-text', customerMessage(1, 'Primeira'));
    await waitUntil(() => publicMessages().length === 1);
    await h.send('conversation_resolved');
    await h.send('message_created-incoming-text', customerMessage(2, 'Voltei'));
    await waitUntil(() => publicMessages().length === 2);
  };

  it('SESSION_POLICY=conversation (default) keeps one session through resolve and reopen', async () => {
    h = await startHarness();
    await resolveThenWrite();
    expect(h.hermes.completions().map((c) => c.sessionIdSent)).toEqual(['chatwoot-1-1042', 'chatwoot-1-1042']);
    expect(publicMessages()[1]).toBe('Resposta 2: Voltei');
  });

  it('SESSION_POLICY=reset-on-resolve starts a new session after a resolve', async () => {
    h = await startHarness({ env: { SESSION_POLICY: 'reset-on-resolve' } });
    await resolveThenWrite();
    expect(h.hermes.completions().map((c) => c.sessionIdSent)).toEqual(['chatwoot-1-1042', 'chatwoot-1-1042-g1']);
    expect(publicMessages()[1]).toBe('Resposta 1: Voltei');
  });

  it('contact memory sends X-Hermes-Session-Key scoped to the contact when the inbox opts in', async () => {
    h = await startHarness();
    await h.bot.store.saveInboxSettings(7, { contactMemory: true }, Date.now());
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    expect(h.hermes.completions()[0]!.sessionKey).toBe('chatwoot-1-contact-3120');
  });
});

describe('media', () => {
  it('an image travels as an image_url part with its caption', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-image');
    await waitUntil(() => publicMessages().length === 1);
    const content = h.hermes.completions()[0]!.body.messages.at(-1).content;
    expect(content[0]).toEqual({ type: 'text', text: 'Segue o comprovante' });
    expect(content[1].type).toBe('image_url');
    expect(content[1].image_url.url).toMatch(/^https:\/\/chat\.acme\.example\/rails\/active_storage\/blobs\/redirect\/.+\.jpg$/);
  });

  it('a voice note waits for its transcript (message_updated) and Hermes gets the words', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-audio');
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(0);
    await h.send('message_updated-audio-transcribed');
    await waitUntil(() => publicMessages().length === 1);
    const text = h.hermes.completions()[0]!.body.messages.at(-1).content as string;
    expect(text.startsWith('[Voice message, transcribed:] ')).toBe(true);
    expect(text.length).toBeGreaterThan('[Voice message, transcribed:] '.length + 3);
  });

  it('without a transcript in time, Hermes is told a voice message could not be transcribed, with its URL', async () => {
    h = await startHarness();
    await h.bot.store.saveInboxSettings(7, { voiceWaitMs: 300 }, Date.now());
    await h.send('message_created-incoming-audio');
    await waitUntil(() => publicMessages().length === 1, { timeoutMs: 3000 });
    const text = h.hermes.completions()[0]!.body.messages.at(-1).content as string;
    expect(text).toMatch(/^\[The customer sent a voice message that could not be transcribed: https:\/\/.+\.ogg\?disposition=inline\.\]$/);
  });

  it('another file becomes a line with type, name and URL; an attachment-only message crashes nothing', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-image', (b) => {
      b.content = null;
      b.attachments[0].file_type = 'file';
      b.attachments[0].extension = 'pdf';
      b.attachments[0].content_type = 'application/pdf';
      b.attachments[0].data_url = 'https://chat.acme.example/rails/active_storage/blobs/redirect/abc/boleto.pdf';
    });
    await waitUntil(() => publicMessages().length === 1);
    expect(h.hermes.completions()[0]!.body.messages.at(-1).content).toBe(
      '[The customer sent a file "boleto.pdf" (application/pdf): https://chat.acme.example/rails/active_storage/blobs/redirect/abc/boleto.pdf]',
    );
  });
});

describe('WhatsApp formatting', () => {
  it('sends CommonMark by default, and *bold* for Chatwoot < 4.9 when the inbox asks', async () => {
    await withReply('Abrimos **sábado** das 9h às 13h.');
    await h.send('message_created-incoming-text', customerMessage(1, 'Oi'));
    await waitUntil(() => publicMessages().length === 1);
    expect(publicMessages()[0]).toBe('Abrimos **sábado** das 9h às 13h.');
    await h.bot.store.saveInboxSettings(7, { legacyWhatsAppFormat: true }, Date.now());
    await sleep(5100); // the settings cache (5 s) expires
    h.hermes.setReply(() => 'Também **domingo**, das 9h às 12h.');
    await h.send('message_created-incoming-text', customerMessage(2, 'E domingo?'));
    await waitUntil(() => publicMessages().length === 2);
    expect(publicMessages()[1]).toBe('Também *domingo*, das 9h às 12h.');
  });
});
