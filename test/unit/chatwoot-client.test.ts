import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatwootClient, ChatwootError } from '../../src/chatwoot/client.js';

const BASE = 'https://chat.acme.test';
const key = { accountId: 1, conversationId: 1042 };
const path = '/api/v1/accounts/1/conversations/1042';
const client = () => new ChatwootClient({ baseUrl: BASE, botToken: 'bot-tok', retry: { baseDelayMs: 5, maxDelayMs: 10 } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('ChatwootClient', () => {
  it('posts an outgoing public message with the bot token and never a source_id', async () => {
    nock(BASE, { reqheaders: { 'api-access-token': 'bot-tok' }, badheaders: ['api_access_token'] })
      .post(`${path}/messages`, (body) => body.content === 'Olá!' && body.message_type === 'outgoing' && body.private === false && !('source_id' in body))
      .reply(200, { id: 58240, message_type: 1 });
    expect(await client().postMessage(key, { content: 'Olá!', private: false })).toEqual({ id: 58240 });
  });

  it('retries 429 and 5xx, but asks before each retry (a witness may show the first one arrived)', async () => {
    nock(BASE).post(`${path}/messages`).reply(500);
    nock(BASE).post(`${path}/messages`).reply(429, {}, { 'retry-after': '0' });
    nock(BASE).post(`${path}/messages`).reply(200, { id: 1 });
    const asked: number[] = [];
    await client().postMessage(key, { content: 'x', private: false }, async () => (asked.push(1), true));
    expect(asked).toHaveLength(2);
  });

  it('stops retrying when the caller says so', async () => {
    nock(BASE).post(`${path}/messages`).reply(503);
    const error = await client().postMessage(key, { content: 'x', private: false }, async () => false).catch((e: unknown) => e);
    expect((error as ChatwootError).status).toBe(503);
  });

  it.each([401, 404, 422])('does not retry %i and reports Chatwoot\'s error text', async (status) => {
    nock(BASE).post(`${path}/messages`).reply(status, { error: 'Resource could not be found' });
    const error = (await client().postMessage(key, { content: 'x', private: false }).catch((e: unknown) => e)) as ChatwootError;
    expect(error).toBeInstanceOf(ChatwootError);
    expect(error.status).toBe(status);
    expect(error.message).toContain('Resource could not be found');
    expect(error.message).not.toContain('bot-tok');
  });

  it('does not follow a redirect (the token would go to the other host): reports it once, with the address to configure', async () => {
    nock(BASE).post(`${path}/messages`).reply(301, '', { location: 'https://evil.example/api/v1/accounts/1/conversations/1042/messages' });
    // No interceptor for evil.example: following the redirect would fail differently (nock refuses the connection).
    const error = (await client().postMessage(key, { content: 'x', private: false }).catch((e: unknown) => e)) as ChatwootError;
    expect(error).toBeInstanceOf(ChatwootError);
    expect(error.status).toBe(301);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('a redirect to https://evil.example/');
    expect(error.message).toContain('set CHATWOOT_URL');
  });

  it('hands off with toggle_status open, and merges labels (Chatwoot replaces the whole set)', async () => {
    nock(BASE).post(`${path}/toggle_status`, { status: 'open' }).reply(200, { meta: {}, payload: { success: null, current_status: 'open' } });
    nock(BASE).get(`${path}/labels`).reply(200, { payload: ['vip'] });
    nock(BASE).post(`${path}/labels`, { labels: ['vip', 'bot-handoff'] }).reply(200, { payload: ['vip', 'bot-handoff'] });
    const c = client();
    await c.toggleStatus(key, 'open');
    await c.addLabels(key, ['bot-handoff']);
  });

  it('reads the live conversation, and stops asking where this Chatwoot forbids it to bots (401)', async () => {
    nock(BASE).get(path).reply(200, { id: 1042, status: 'pending', labels: [], meta: {} });
    const c = client();
    expect(await c.getConversation(key)).toEqual({ status: 'pending', labels: [] });
    nock(BASE).get(path).reply(401, { error: 'Access to this endpoint is not authorized for bots' });
    expect(await c.getConversation(key)).toBeNull();
    // No third request: the answer is remembered.
    expect(await c.getConversation(key)).toBeNull();
  });

  it('a 401 for another reason (a revoked token) is an error and does not switch the live check off', async () => {
    const c = client();
    nock(BASE).get(path).reply(401, { error: 'Invalid Access Token' });
    await expect(c.getConversation(key)).rejects.toMatchObject({ status: 401 });
    nock(BASE).get(path).reply(200, { id: 1042, status: 'open', labels: [], meta: {} });
    expect(await c.getConversation(key)).toEqual({ status: 'open', labels: [] });
  });

  it('typing is one attempt only (cosmetic)', async () => {
    nock(BASE).post(`${path}/toggle_typing_status`, { typing_status: 'on' }).reply(500);
    await expect(client().typing(key, true)).rejects.toBeInstanceOf(ChatwootError);
  });
});
