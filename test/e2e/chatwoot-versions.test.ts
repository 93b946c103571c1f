/**
 * The bot on the Chatwoot releases it supports. Before 4.14.2 (PR #14655) a bot token may neither read
 * a conversation nor read or write its labels (access_token_auth_helper.rb, BOT_ACCESSIBLE_ENDPOINTS at
 * v4.13.0–v4.14.1): hand-offs still open the conversation, without the label and saying so in the note;
 * the live check before posting falls back to the last status Chatwoot sent; bot-off still works from
 * the webhook's labels. From 4.14.2 on, everything as on 4.15.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { labelRefusedNote } from '../../src/conversation/handoff.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  // Every request the bot sent matches Chatwoot's OpenAPI contract, on every version.
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  h = undefined;
  expect(violations).toEqual([]);
});

const key = { accountId: 1, conversationId: 1042 };
const conversation = () => h!.chatwoot.conversation(1, 1042);
const publicMessages = () => h!.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content);
const notes = () => h!.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content ?? '');
const requests = (method: string, suffix: string) => h!.chatwoot.requests.filter((r) => r.method === method && r.path === `/api/v1/accounts/1/conversations/1042${suffix}`);

describe.each(['4.13', '4.14.0', '4.14.1'] as const)('Chatwoot %s: no GET conversation, no labels for bots', (version) => {
  it('a hand-off opens the conversation and assigns the team; the note says the label could not be set', async () => {
    h = await startHarness({ chatwoot: { version } });
    await h.bot.store.saveInboxSettings(7, { handoffTeamId: 3 }, Date.now());
    await h.send('message_created-incoming-text', customerMessage(58300, 'Quero falar com um atendente, por favor'));
    await waitUntil(() => conversation().status === 'open');
    expect(notes()).toHaveLength(1);
    expect(notes()[0]).toMatch(/^🤖 Bot handed this conversation to the team: the customer asked for a human/);
    expect(notes()[0]).toContain(labelRefusedNote('bot-handoff'));
    expect(notes()[0]).toContain('before version 4.14.2');
    expect(conversation().labels).toEqual([]);
    expect(conversation().teamId).toBe(3);
    expect(conversation().history).toEqual([expect.objectContaining({ from: 'pending', to: 'open', by: 'bot' })]);
    // It asked once whether it may (401 "not authorized for bots") and then did not try to write.
    expect(requests('GET', '/labels').map((r) => r.status)).toEqual([401]);
    expect(requests('POST', '/labels')).toEqual([]);
    expect((await h.bot.store.getConversation(key))?.botState).toBe('handed_off');
    expect(h.hermes.completions()).toEqual([]);
  });

  it('a turn still answers: the refused live read is not an obstacle', async () => {
    h = await startHarness({ chatwoot: { version } });
    h.hermes.setReply(() => 'Abrimos, sim: sábado das 9h às 13h.');
    await h.send('message_created-incoming-text');
    await waitUntil(async () => (await h!.bot.store.lastTurn(key))?.state === 'delivered');
    expect(publicMessages()).toEqual(['Abrimos, sim: sábado das 9h às 13h.']);
    expect(requests('GET', '').map((r) => r.status)).toEqual([401]);
  });

  it('the check before posting relies on the stored status: opened while Hermes thinks, nothing is posted', async () => {
    h = await startHarness({ chatwoot: { version }, hermes: { delayMs: 400 } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => h!.hermes.activeRuns === 1);
    // An agent opens it in the dashboard: Chatwoot changes the status and tells the bot by webhook.
    h.chatwoot.setConversation(1, 1042, { status: 'open' });
    expect((await h.send('conversation_status_changed-open')).status).toBe(200);
    await waitUntil(async () => (await h!.bot.store.lastTurn(key))?.state === 'skipped');
    expect(publicMessages()).toEqual([]);
    expect((await h.bot.store.lastTurn(key))?.error).toBe('conversation is open (the last status Chatwoot sent; it could not be read live)');
    // The live read was refused, so the stored status decided.
    expect(requests('GET', '').map((r) => r.status)).toEqual([401]);
  });

  it('bot-off still keeps the bot silent: the webhook carries the labels', async () => {
    h = await startHarness({ chatwoot: { version } });
    const res = await h.send('message_created-incoming-text', (b) => (b.conversation.labels = ['bot-off']));
    expect(res.body).toEqual({ status: 'ignored', reason: 'conversation has the label bot-off' });
    expect(h.hermes.completions()).toEqual([]);
  });
});

describe.each(['4.14.2', '4.15.1'] as const)('Chatwoot %s: bots read conversations and labels (PR #14655)', (version) => {
  it('a hand-off merges the label into the existing ones; the note makes no claim about labels', async () => {
    h = await startHarness({ chatwoot: { version } });
    h.chatwoot.setConversation(1, 1042, { labels: ['vip'] });
    await h.send('message_created-incoming-text', customerMessage(58300, 'Quero falar com um atendente, por favor'));
    await waitUntil(() => conversation().status === 'open');
    expect(conversation().labels).toEqual(['vip', 'bot-handoff']);
    expect(notes()).toHaveLength(1);
    expect(notes()[0]).not.toContain('could not be set');
    expect(requests('POST', '/labels').map((r) => r.body)).toEqual([{ labels: ['vip', 'bot-handoff'] }]);
  });

  it('the live check sees a bot-off label added while Hermes thinks', async () => {
    h = await startHarness({ chatwoot: { version }, hermes: { delayMs: 400 } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => h!.hermes.activeRuns === 1);
    h.chatwoot.setConversation(1, 1042, { labels: ['bot-off'] });
    await waitUntil(async () => (await h!.bot.store.lastTurn(key))?.state === 'skipped');
    expect(publicMessages()).toEqual([]);
    expect((await h.bot.store.lastTurn(key))?.error).toBe('conversation has the label bot-off');
    expect(requests('GET', '').map((r) => r.status)).toEqual([200]);
  });
});
