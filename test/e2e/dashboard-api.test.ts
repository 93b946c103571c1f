/**
 * The bot panel's HTTP surface without a browser: who may read and steer which conversation, what
 * the answers contain and never contain, the headers that keep the page framed by Chatwoot only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, hashKey } from '../../src/dashboard/key.js';
import { FAILED_KEYS } from '../../src/dashboard/access.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

describe('the bot panel API', () => {
  let h: Harness;
  const key1 = generateKey();
  const key2 = generateKey();
  let client = 0;
  /** Each test its own client address (the app trusts X-Forwarded-For, as behind Heroku's router), so rate limits do not leak between tests. */
  const from = () => `10.0.0.${++client}`;
  const api = (path: string, opts: { key?: string; ip?: string; method?: string; body?: unknown } = {}) =>
    fetch(`${h.url}/dashboard/api${path}`, {
      method: opts.method ?? 'GET',
      headers: {
        'x-forwarded-for': opts.ip ?? from(),
        ...(opts.key ? { 'x-panel-key': opts.key } : {}),
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });

  beforeAll(async () => {
    h = await startHarness();
    await h.bot.store.saveDashboardKeyHash(1, hashKey(key1), Date.now());
    await h.bot.store.saveDashboardKeyHash(2, hashKey(key2), Date.now());
    h.hermes.setReply(() => 'Abrimos às 9h, Maria.');
    await h.send('message_created-incoming-text', customerMessage(11, 'Meu CPF é 123.456.789-00, abrem cedo?'));
    // The turn is finished (and counted) just after its reply is posted.
    await waitUntil(async () => (await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))?.turnCount === 1);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers the account's conversation with its key: bot state, never contents, tokens or keys", async () => {
    const res = await api('/accounts/1/conversations/1042', { key: key1 });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const view = JSON.parse(text);
    expect(view).toMatchObject({ conversation: { accountId: 1, conversationId: 1042, status: 'pending' }, speaker: { who: 'bot' }, session: { id: 'chatwoot-1-1042', turns: 1 } });
    expect(view.latency).toHaveLength(1);
    for (const secret of ['CPF', '123.456', 'Abrimos', key1, hashKey(key1), 'bot-token', 'hermes-key', 'e2e-webhook-secret']) expect(text).not.toContain(secret);
  });

  it("refuses a missing key, a wrong key and another account's key with the same 401", async () => {
    for (const key of [undefined, 'x', generateKey(), key2]) {
      const res = await api('/accounts/1/conversations/1042', key ? { key } : {});
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'wrong or missing panel key for this account' });
    }
    // An account without a key refuses every key.
    expect((await api('/accounts/3/conversations/1', { key: key1 })).status).toBe(401);
  });

  it(`stops a client after ${FAILED_KEYS.max} wrong keys, even when it then holds the right one`, async () => {
    const ip = from();
    for (let i = 0; i < FAILED_KEYS.max; i++) expect((await api('/accounts/1/conversations/1042', { key: generateKey(), ip })).status).toBe(401);
    const blocked = await api('/accounts/1/conversations/1042', { key: key1, ip });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Others are not affected.
    expect((await api('/accounts/1/conversations/1042', { key: key1 })).status).toBe(200);
  });

  it('refuses malformed ids, unknown actions and bodies that are not the agent', async () => {
    expect((await api('/accounts/0/conversations/1042', { key: key1 })).status).toBe(400);
    expect((await api('/accounts/1/conversations/abc', { key: key1 })).status).toBe(400);
    expect((await api('/accounts/1/conversations/1042/actions/delete', { key: key1, method: 'POST', body: {} })).status).toBe(400);
    expect((await api('/accounts/1/conversations/1042/actions/pause', { key: key1, method: 'POST', body: { agent: { id: 'x' } } })).status).toBe(400);
    expect((await api('/accounts/1/conversations/1042/actions/pause', { key: key2, method: 'POST', body: {} })).status).toBe(401);
    expect((await h.bot.store.getConversation({ accountId: 1, conversationId: 1042 }))?.botState).toBe('active');
  });

  it("keeps an agent's claimed name from forging lines or markup in the note", async () => {
    const res = await api('/accounts/1/conversations/1042/actions/pause', {
      key: key1,
      method: 'POST',
      body: { agent: { id: 3, name: 'Eve\n\n🤖 Bot handed this conversation [x](http://evil)', email: 'eve@x' } },
    });
    expect(await res.json()).toEqual({ ok: true, action: 'pause', note: 'posted' });
    const note = h.chatwoot.messages(1, 1042, { private: true }).at(-1)!.content!;
    expect(note.split('\n').at(-1)).toBe(
      "From the bot panel, by Eve 🤖 Bot handed this conversation x (http://evil) (eve@x, agent 3), as Chatwoot's page reported them to the panel: the bot cannot verify who pressed the button.",
    );
    await api('/accounts/1/conversations/1042/actions/resume', { key: key1, method: 'POST', body: {} });
  });

  it('serves the page with a CSP that lets only Chatwoot frame it, no inline code, and no referrer', async () => {
    for (const path of ['/dashboard/', '/dashboard/panel.js', '/dashboard/panel.css']) {
      const res = await fetch(h.url + path);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain(`frame-ancestors ${h.chatwoot.url}`);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const page = await (await fetch(`${h.url}/dashboard/`)).text();
    expect(page).not.toMatch(/<script>|<style>|style="|https?:\/\//);
    const redirect = await fetch(`${h.url}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/dashboard/');
  });
});
