/**
 * The bot against the Chatwoot that exists (v4.13 → v4.15.1): what its code really sends and answers,
 * as the strict fake reproduces it (chatwoot.md §2, §3, §5, §7, §8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content);
const notes = () => h.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content ?? '');
const status = () => h.chatwoot.conversation(1, 1042).status;

describe('behind a default nginx (headers with underscores dropped)', () => {
  it('answers and hands off: every call carries the token as api-access-token', async () => {
    h = await startHarness({ chatwoot: { dropUnderscoreHeaders: true } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    await h.send('message_created-incoming-text', (b) => {
      b.id = 58300;
      b.content = 'Quero falar com um atendente';
    });
    await waitUntil(() => status() === 'open');
    expect(h.chatwoot.conversation(1, 1042).labels).toEqual(['bot-handoff']);
    expect(h.chatwoot.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(h.chatwoot.requests.every((r) => r.headers['api-access-token'] === 'bot-token')).toBe(true);
  });
});

describe('automation rules (Message#human_response? is false for them)', () => {
  const echoed = (n: number) => h.chatwoot.echoes.filter((e) => e.status === 200).length >= n;

  it('a welcome "send message" does not silence the bot: the customer is answered, the conversation stays pending', async () => {
    h = await startHarness();
    const welcome = h.chatwoot.automationMessage(1, 1042, { content: 'Bem-vindo à Acme! Em que podemos ajudar?', ruleId: 3 });
    await waitUntil(() => echoed(1));
    expect(h.chatwoot.echoes[0]).toMatchObject({ event: 'message_created', messageId: welcome.id, status: 200 });
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 2);
    expect(publicMessages()[1]).toBe('Resposta 1: Olá! Vocês abrem no sábado?');
    expect(status()).toBe('pending');
    expect(h.chatwoot.conversation(1, 1042).history).toEqual([]);
  });

  it('a "send attachment" (no sender, no content, no automation_rule_id) and an automation\'s private note are not takeovers either', async () => {
    h = await startHarness();
    h.chatwoot.automationMessage(1, 1042, { attachment: true });
    h.chatwoot.automationMessage(1, 1042, { content: 'Cliente novo: verificar cadastro', private: true, ruleId: 4 });
    await waitUntil(() => echoed(2));
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 2);
    expect(status()).toBe('pending');
    expect(h.hermes.completions()).toHaveLength(1);
  });

  it('a reply typed on the WhatsApp phone (external_echo) still silences the bot and opens the conversation', async () => {
    h = await startHarness();
    expect((await h.send('message_created-outgoing-phone-echo')).status).toBe(200);
    await waitUntil(() => status() === 'open');
    expect((await h.bot.store.getConversation({ accountId: 1, conversationId: 1042 }))?.botState).toBe('human');
  });
});

describe('Liquid: Chatwoot renders outgoing content (liquidable.rb); the bot\'s text must arrive as written', () => {
  it('a blocked template reply reaches the team in the private note exactly as Hermes wrote it', async () => {
    h = await startHarness();
    const leaked = 'Olá {{ contact.name }}, seu pedido {{ pedido.status }} saiu.';
    h.hermes.setReply(() => leaked);
    await h.send('message_created-incoming-text');
    await waitUntil(() => status() === 'open');
    expect(publicMessages()).toEqual([]);
    expect(notes()[0]).toContain('Blocked a reply from Hermes (prompt_leak)');
    expect(notes()[0]).toContain(leaked);
  });

  it('a reply with template-like text the guard lets through is stored, sent and echoed as written', async () => {
    h = await startHarness();
    // Over several lines, so not a `{{ … }}` tag for the guard; Chatwoot's Liquid would still evaluate it.
    const reply = 'Digite assim:\n{{\ncontact.name\n}}\ne pronto.';
    h.hermes.setReply(() => reply);
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    expect(publicMessages()).toEqual([reply]);
    const echo = h.chatwoot.messages(1, 1042)[0]!;
    await waitUntil(() => h.chatwoot.echoes.some((e) => e.messageId === echo.id && e.status === 200));
    expect(status()).toBe('pending');
  });
});

describe("Chatwoot's own webhooks the bot must live with", () => {
  const delivered = (event: string, messageId: number) => h.chatwoot.echoes.some((e) => e.event === event && e.messageId === messageId && e.status === 200);

  it("its own private notes come back as message_created: acknowledged, and the bot keeps answering", async () => {
    h = await startHarness();
    h.hermes.setReply(({ turn }) => (turn === 1 ? '⚡ Interrupting current task…' : 'Sim, abrimos aos sábados.'));
    await h.send('message_created-incoming-text');
    await waitUntil(() => notes().length === 1);
    const note = h.chatwoot.messages(1, 1042, { private: true })[0]!;
    await waitUntil(() => delivered('message_created', note.id));
    await h.send('message_created-incoming-text', (b) => {
      b.id = 58301;
      b.content = 'Abrem no sábado?';
    });
    await waitUntil(() => publicMessages().length === 1);
    expect(publicMessages()).toEqual(['Sim, abrimos aos sábados.']);
    expect(status()).toBe('pending');
  });

  it('the empty-transcript message_updated right after a voice note is not a transcript: Hermes waits for the real one', async () => {
    h = await startHarness();
    const voice = h.chatwoot.customerMessage(1, 1042, { audio: true });
    await waitUntil(() => h.chatwoot.echoes.filter((e) => e.messageId === voice.id && e.status === 200).length === 2);
    expect(h.chatwoot.echoes.map((e) => e.event)).toEqual(['message_created', 'message_updated']);
    expect(h.hermes.completions()).toHaveLength(0);
    h.chatwoot.transcribe(1, 1042, voice.id, 'vocês entregam em Pinheiros?');
    // The fake holds the customer's voice note too: wait for the bot's reply.
    await waitUntil(() => h.chatwoot.messages(1, 1042).some((m) => m.message_type === 'outgoing'));
    expect(h.hermes.completions()[0]!.body.messages.at(-1).content).toBe('[Voice message, transcribed:] vocês entregam em Pinheiros?');
  });

  it('a hand-off to a team id Chatwoot does not know (200 null, team cleared) still opens, labels and notes', async () => {
    h = await startHarness();
    await h.bot.store.saveInboxSettings(7, { handoffTeamId: 99 }, Date.now());
    await h.send('message_created-incoming-text', (b) => (b.content = 'Quero falar com um atendente'));
    await waitUntil(() => status() === 'open');
    const assignment = h.chatwoot.requests.find((r) => r.path.endsWith('/assignments'))!;
    expect(assignment).toMatchObject({ status: 200, body: { team_id: 99 } });
    expect(h.chatwoot.conversation(1, 1042)).toMatchObject({ teamId: null, labels: ['bot-handoff'] });
    expect(notes()).toHaveLength(1);
  });
});
