/**
 * WhatsApp refuses a message after Chatwoot stored it (outside the 24-hour window, a blocked number, a
 * media error): Chatwoot saves `content_attributes.external_error` on it and sends message_updated
 * (whatsapp/providers/base_service.rb). The customer never saw that reply, so the team must: a
 * private note quoting the error, the hand-off label, the conversation opened — once per failed
 * message, however many times Chatwoot reports it, and never a word to the customer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../helpers/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.chatwoot.violations()).toEqual([]);
  await h.close();
});

const key = { accountId: 1, conversationId: 1042 };
const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false });
const notes = () => h.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content ?? '');

describe('a reply WhatsApp did not deliver', () => {
  it('is handed to the team once, with a private note quoting the error and the reply', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    const reply = publicMessages()[0]!;

    h.chatwoot.failDelivery(1, 1042, reply.id, '131047: Re-engagement message');
    await waitUntil(() => h.chatwoot.conversation(1, 1042).status === 'open');
    expect(notes()).toEqual([
      `🤖 Bot handed this conversation to the team: WhatsApp did not deliver the bot's message (131047: Re-engagement message); the customer never received it: "${reply.content}"`,
    ]);
    expect(h.chatwoot.conversation(1, 1042).labels).toContain('bot-handoff');
    expect((await h.bot.store.getConversation(key))?.botState).toBe('handed_off');

    // Chatwoot reports the same failure again (the failed status callback after the send error).
    h.chatwoot.failDelivery(1, 1042, reply.id, '131047: Re-engagement message');
    await waitUntil(() => h.chatwoot.echoes.filter((e) => e.event === 'message_updated').length === 2);
    await sleep(300);
    expect(notes()).toHaveLength(1);
    expect(publicMessages()).toHaveLength(1);
  });

  it("a customer's message or an agent's is not the bot's: its failure is left to the team", async () => {
    h = await startHarness({ chatwoot: { statusEvents: true } });
    // An agent's reply that WhatsApp refused: Chatwoot shows it to the agent; the bot stays out of it.
    const res = await h.send('message_created-outgoing-agent', (b) => {
      b.event = 'message_updated';
      b.content_attributes = { external_error: '131047: Re-engagement message' };
    });
    expect(res.body).toMatchObject({ status: 'ignored' });
    expect(notes()).toEqual([]);
  });
});
