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
