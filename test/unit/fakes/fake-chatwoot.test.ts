import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChatwoot, type FakeChatwoot } from '../../fakes/fake-chatwoot.js';
import { createContractValidator } from '../../helpers/openapi.js';
import { loadFixture } from '../../helpers/shared.js';
import { chatwootSignature } from '../../helpers/sign.js';

const conv = '/api/v1/accounts/1/conversations/1042';
const contract = createContractValidator();

async function call(fake: FakeChatwoot, method: string, path: string, token: string | null, body?: unknown, tokenHeader = 'api_access_token') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers[tokenHeader] = token;
  const res = await fetch(fake.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: text === '' ? null : JSON.parse(text) };
}

describe('fake Chatwoot', () => {
  let fake: FakeChatwoot;
  beforeEach(async () => {
    fake = await startFakeChatwoot();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('authenticates with api_access_token or api-access-token and answers 401 Invalid Access Token otherwise', async () => {
    expect((await call(fake, 'GET', `${conv}/labels`, 'bot-token')).status).toBe(200);
    expect((await call(fake, 'GET', `${conv}/labels`, 'bot-token', undefined, 'api-access-token')).status).toBe(200);
    for (const token of [null, 'wrong']) {
      expect(await call(fake, 'GET', `${conv}/labels`, token)).toMatchObject({ status: 401, json: { error: 'Invalid Access Token' } });
    }
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 401, 401]);
    expect(fake.requests[1]!.headers['api-access-token']).toBe('bot-token');
  });

  it('behind a default nginx (dropUnderscoreHeaders) api_access_token never arrives: 401; api-access-token does', async () => {
    const proxied = await startFakeChatwoot({ dropUnderscoreHeaders: true });
    try {
      expect(await call(proxied, 'GET', `${conv}/labels`, 'bot-token')).toMatchObject({ status: 401, json: { error: 'Invalid Access Token' } });
      expect((await call(proxied, 'GET', `${conv}/labels`, 'bot-token', undefined, 'api-access-token')).status).toBe(200);
      expect(proxied.requests[0]!.headers).not.toHaveProperty('api_access_token');
    } finally {
      await proxied.close();
    }
  });

  it('lets the bot token reach only BOT_ACCESSIBLE_ENDPOINTS; the admin token reaches everything', async () => {
    const notForBots = { status: 401, json: { error: 'Access to this endpoint is not authorized for bots' } };
    expect(await call(fake, 'GET', `${conv}/messages`, 'bot-token')).toMatchObject(notForBots);
    expect(await call(fake, 'GET', '/api/v1/accounts/1/agent_bots', 'bot-token')).toMatchObject(notForBots);
    expect(await call(fake, 'GET', '/api/v1/accounts/1/agent_bots', 'admin-token')).toMatchObject({ status: 200, json: [] });
    expect(await call(fake, 'POST', '/api/v1/accounts/2/conversations/5/labels', 'bot-token', { labels: [] })).toMatchObject({
      status: 401,
      json: { error: 'Bot is not authorized to access this account' },
    });
    const show = await call(fake, 'GET', conv, 'bot-token');
    expect(show.json).toMatchObject({ id: 1042, status: 'pending', labels: [], inbox_id: 7, account_id: 1, meta: { channel: 'Channel::Whatsapp' } });
    // The show view leaves out meta.assignee / meta.team when unset (and has no meta.assignee_type).
    expect(Object.keys(show.json.meta)).not.toContain('assignee');
  });

  it('answers 401 to the bot on GET conversation when showAllowed is false (Chatwoot before #14655)', async () => {
    const old = await startFakeChatwoot({ showAllowed: false });
    try {
      expect((await call(old, 'GET', conv, 'bot-token')).json).toEqual({ error: 'Access to this endpoint is not authorized for bots' });
      expect((await call(old, 'GET', conv, 'admin-token')).status).toBe(200);
    } finally {
      await old.close();
    }
  });

  it('stores posted messages and answers the REST message shape of the spec', async () => {
    const a = await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: 'Olá!', message_type: 'outgoing', private: false });
    const b = await call(fake, 'POST', `${conv}/messages`, 'admin-token', { content: 'nota', private: true });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ id: 90000, conversation_id: 1042, message_type: 1, private: false, status: 'sent', source_id: null, sender: { id: 4, type: 'agent_bot' } });
    expect(b.json).toMatchObject({ id: 90001, private: true, sender: { type: 'user' } });
    expect(contract.validateResponse('POST', `${conv}/messages`, 200, a.json)).toEqual([]);
    expect(fake.messages(1, 1042).map((m) => m.content)).toEqual(['Olá!', 'nota']);
    expect(fake.messages(1, 1042, { private: false }).map((m) => m.id)).toEqual([90000]);
    expect(fake.violations()).toEqual([]);
  });

  it('refuses incoming messages outside Api inboxes and flags source_id and contract violations', async () => {
    expect(await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: 'x', message_type: 'incoming' })).toMatchObject({
      status: 422,
      json: { error: 'Incoming messages are only allowed in Api inboxes' },
    });
    await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: 'y', source_id: 'wamid.1' });
    await call(fake, 'POST', `${conv}/toggle_typing_status`, 'bot-token', { typing_status: 'typing' });
    const violations = fake.violations();
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/^POST \/api\/v1\/accounts\/1\/conversations\/1042\/messages: source_id must never be sent/);
    expect(violations[1]).toMatch(/toggle_typing_status: .*typing_status must be one of/);
    expect(fake.messages(1, 1042)[0]!.source_id).toBe('wamid.1');
  });

  it('toggles status like Chatwoot (bot hand-off answers success null) and records typing', async () => {
    const res = await call(fake, 'POST', `${conv}/toggle_status`, 'bot-token', { status: 'open' });
    expect(res.json).toEqual({ payload: { success: null, conversation_id: 1042, current_status: 'open', snoozed_until: null } });
    const typing = await call(fake, 'POST', `${conv}/toggle_typing_status`, 'bot-token', { typing_status: 'on' });
    expect(typing).toMatchObject({ status: 200, text: '' });
    const state = fake.conversation(1, 1042);
    expect(state).toMatchObject({ status: 'open', typing: 'on' });
    expect(state.history).toEqual([expect.objectContaining({ from: 'pending', to: 'open', by: 'bot' })]);
    fake.setConversation(1, 1042, { status: 'resolved' });
    expect((await call(fake, 'GET', conv, 'bot-token')).json.status).toBe('resolved');
  });

  it('answers what the spec documents (known mismatches aside) on the endpoints the service uses', async () => {
    fake.addInbox({ id: 7, name: 'WhatsApp Vendas', channel_type: 'Channel::Whatsapp' });
    const calls: Array<[string, string, string, unknown?]> = [
      ['POST', `${conv}/messages`, 'bot-token', { content: 'oi' }],
      ['GET', conv, 'bot-token'],
      ['POST', `${conv}/assignments`, 'bot-token', { team_id: 2 }],
      ['POST', `${conv}/assignments`, 'bot-token', { assignee_id: 12 }],
      ['GET', conv, 'bot-token'],
      ['POST', `${conv}/toggle_status`, 'bot-token', { status: 'open' }],
      ['POST', `${conv}/toggle_typing_status`, 'bot-token', { typing_status: 'off' }],
      ['POST', `${conv}/labels`, 'bot-token', { labels: ['triagem'] }],
      ['GET', `${conv}/labels`, 'bot-token'],
      ['POST', `${conv}/custom_attributes`, 'bot-token', { custom_attributes: { a: 1 } }],
      ['POST', '/api/v1/accounts/1/agent_bots', 'admin-token', { name: 'b', outgoing_url: 'http://x' }],
      ['GET', '/api/v1/accounts/1/agent_bots', 'admin-token'],
      ['PATCH', '/api/v1/accounts/1/agent_bots/100', 'admin-token', { outgoing_url: 'http://y' }],
      ['POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', 'admin-token', { agent_bot: 100 }],
      ['GET', '/api/v1/accounts/1/inboxes/7/agent_bot', 'admin-token'],
      ['GET', '/api/v1/accounts/1/inboxes', 'admin-token'],
    ];
    for (const [method, path, token, body] of calls) {
      const res = await call(fake, method, path, token, body);
      expect(res.status, `${method} ${path}`).toBe(200);
      expect(contract.validateResponse(method, path, res.status, res.json)).toEqual([]);
    }
    expect(fake.violations()).toEqual([]);
  });

  it('replaces the whole label list on POST labels', async () => {
    await call(fake, 'POST', `${conv}/labels`, 'bot-token', { labels: ['a', 'b'] });
    const res = await call(fake, 'POST', `${conv}/labels`, 'bot-token', { labels: ['c'] });
    expect(res.json).toEqual({ payload: ['c'] });
    expect((await call(fake, 'GET', `${conv}/labels`, 'bot-token')).json).toEqual({ payload: ['c'] });
    expect(fake.conversation(1, 1042).labels).toEqual(['c']);
  });

  it('assigns teams and agents and replaces custom attributes', async () => {
    expect((await call(fake, 'POST', `${conv}/assignments`, 'bot-token', { team_id: 3 })).json).toMatchObject({ id: 3 });
    expect((await call(fake, 'POST', `${conv}/assignments`, 'bot-token', { assignee_id: 12 })).json).toMatchObject({ id: 12 });
    await call(fake, 'POST', `${conv}/custom_attributes`, 'bot-token', { custom_attributes: { a: 1 } });
    await call(fake, 'POST', `${conv}/custom_attributes`, 'bot-token', { custom_attributes: { b: 2 } });
    expect(fake.conversation(1, 1042)).toMatchObject({ teamId: 3, assigneeId: 12, assigneeType: 'User', customAttributes: { b: 2 } });
    expect(fake.violations()).toEqual([]);
  });

  it('creates, attaches and detaches agent bots; set_agent_bot answers 200 with an empty body', async () => {
    fake.addInbox({ id: 7, name: 'WhatsApp Vendas', channel_type: 'Channel::Whatsapp' });
    const created = await call(fake, 'POST', '/api/v1/accounts/1/agent_bots', 'admin-token', { name: 'Hermes', outgoing_url: 'http://bot/webhook', bot_type: 'webhook' });
    expect(created.json).toMatchObject({ name: 'Hermes', outgoing_url: 'http://bot/webhook', bot_type: 'webhook', account_id: 1, system_bot: false });
    expect(created.json.access_token).toEqual(expect.any(String));
    expect(created.json.secret).toEqual(expect.any(String));
    const id: number = created.json.id;

    const attach = await call(fake, 'POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', 'admin-token', { agent_bot: id });
    expect(attach).toMatchObject({ status: 200, text: '' });
    expect((await call(fake, 'GET', '/api/v1/accounts/1/inboxes/7/agent_bot', 'admin-token')).json).toMatchObject({ agent_bot: { id } });
    expect(await call(fake, 'POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', 'admin-token', { agent_bot: 999 })).toMatchObject({
      status: 404,
      json: { error: 'Resource could not be found' },
    });
    expect((await call(fake, 'POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', 'admin-token', { agent_bot: null })).status).toBe(200);
    // agent_bot.json.jbuilder drops the empty block: no bot answers {}.
    expect((await call(fake, 'GET', '/api/v1/accounts/1/inboxes/7/agent_bot', 'admin-token')).json).toEqual({});

    const reset = await call(fake, 'POST', `/api/v1/accounts/1/agent_bots/${id}/reset_secret`, 'admin-token');
    expect(reset.json.secret).not.toBe(created.json.secret);
    // A created bot's own token works as a bot token.
    const posted = await call(fake, 'POST', `${conv}/messages`, created.json.access_token, { content: 'oi' });
    expect(posted.json.sender).toMatchObject({ id, name: 'Hermes', type: 'agent_bot' });
    expect((await call(fake, 'GET', '/api/v1/accounts/1/inboxes', 'admin-token')).json.payload).toEqual([
      expect.objectContaining({ id: 7, name: 'WhatsApp Vendas', channel_type: 'Channel::Whatsapp' }),
    ]);
    expect(fake.violations()).toEqual([]);
  });

  it('serves canned responses to the next matching requests, in order, and records them', async () => {
    fake.failNext({ method: 'POST', path: /\/messages$/ }, [{ status: 500, body: { error: 'boom' } }, 'reset', { status: 429, headers: { 'retry-after': '1' } }]);
    expect((await call(fake, 'GET', `${conv}/labels`, 'bot-token')).status).toBe(200); // not matching: untouched
    expect(await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: '1' })).toMatchObject({ status: 500, json: { error: 'boom' } });
    await expect(call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: '2' })).rejects.toThrow();
    const limited = await fetch(`${fake.url}${conv}/messages`, { method: 'POST', headers: { api_access_token: 'bot-token', 'content-type': 'application/json' }, body: '{"content":"3"}' });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
    expect((await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: '4' })).status).toBe(200);
    expect(fake.messages(1, 1042).map((m) => m.content)).toEqual(['4']);
    expect(fake.requests.filter((r) => r.path.endsWith('/messages')).map((r) => r.status)).toEqual([500, 0, 429, 200]);
  });

  it('delays answers with setDelay and explains waitFor timeouts', async () => {
    fake.setDelay(60);
    const started = Date.now();
    await call(fake, 'GET', `${conv}/labels`, 'bot-token');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await expect(fake.waitFor((f) => f.requests.length > 5, 50)).rejects.toThrow(/timed out[\s\S]*GET \/api\/v1\/accounts\/1\/conversations\/1042\/labels → 200/);
  });
});

describe('fake Chatwoot echo', () => {
  it('sends the bot its own message back as a signed message_created shaped like the fixture', async () => {
    const received: Array<{ headers: Record<string, string | string[] | undefined>; raw: string }> = [];
    const hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, raw });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const webhookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/chatwoot`;
    const fake = await startFakeChatwoot({ echo: { webhookUrl, secret: 'whsec', statusEvents: true } });
    try {
      await call(fake, 'POST', `${conv}/messages`, 'bot-token', { content: 'Olá, Maria!' });
      await call(fake, 'POST', `${conv}/toggle_status`, 'bot-token', { status: 'open' });
      await fake.waitFor((f) => f.echoes.length === 4 && f.echoes.every((e) => e.status === 200));
      expect(fake.echoes.map((e) => e.event)).toEqual(['message_created', 'conversation_opened', 'conversation_status_changed', 'conversation_updated']);

      const first = received[0]!;
      const ts = Number(first.headers['x-chatwoot-timestamp']);
      expect(first.headers['x-chatwoot-signature']).toBe(chatwootSignature(first.raw, 'whsec', ts));
      const payload = JSON.parse(first.raw);
      const fixture = loadFixture('message_created-outgoing-bot');
      expect(Object.keys(payload).sort()).toEqual(Object.keys(fixture).sort());
      expect(Object.keys(payload.conversation).sort()).toEqual(Object.keys(fixture.conversation).sort());
      expect(Object.keys(payload.conversation.messages[0]).sort()).toEqual(Object.keys(fixture.conversation.messages[0]).sort());
      expect(payload).toMatchObject({
        event: 'message_created',
        message_type: 'outgoing',
        private: false,
        content: 'Olá, Maria!',
        sender: { id: 4, name: 'Assistente Acme', type: 'agent_bot' },
        conversation: { id: 1042, status: 'pending', messages: [{ message_type: 1, sender_type: 'AgentBot' }] },
      });
      const statusChanged = JSON.parse(received[2]!.raw);
      expect(statusChanged).toMatchObject({ event: 'conversation_status_changed', id: 1042, status: 'open', changed_attributes: null });
    } finally {
      await fake.close();
      hook.close();
    }
  });
});
