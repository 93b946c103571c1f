import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const publicReplies = (conversation = 1042, account = 1) => h.chatwoot.messages(account, conversation, { private: false });

describe('one conversation, one Hermes session', () => {
  it('answers three messages in turn, each once, all in the same session with its history', async () => {
    h = await startHarness();
    const texts = ['Olá! Vocês abrem no sábado?', 'E no domingo?', 'Obrigada!'];
    for (const [i, text] of texts.entries()) {
      const res = await h.send('message_created-incoming-text', customerMessage(58231 + i, text));
      expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
      await waitUntil(() => publicReplies().length === i + 1, { timeoutMs: 5000 });
    }
    expect(publicReplies().map((m) => m.content)).toEqual(['Resposta 1: Olá! Vocês abrem no sábado?', 'Resposta 2: E no domingo?', 'Resposta 3: Obrigada!']);
    const calls = h.hermes.completions();
    expect(calls.map((c) => c.sessionIdSent)).toEqual(['chatwoot-1-1042', 'chatwoot-1-1042', 'chatwoot-1-1042']);
    expect(h.hermes.sessions.get('chatwoot-1-1042')?.turns).toBe(3);
    // Only the system/user pair is sent: Hermes keeps the history itself.
    expect(calls.every((c) => c.body.messages.filter((m: { role: string }) => m.role === 'user').length === 1)).toBe(true);
    expect(calls.every((c) => c.headers.authorization === 'Bearer hermes-key')).toBe(true);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(3);
    // The turn is recorded just after its reply is posted: wait for it rather than race it.
    await waitUntil(async () => (await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))?.turnCount === 3);
    expect(await h.bot.store.getSession({ accountId: 1, conversationId: 1042 })).toMatchObject({ sessionId: 'chatwoot-1-1042', turnCount: 3 });
    expect(h.chatwoot.violations()).toEqual([]);
  });

  it('posts replies as outgoing, public, without source_id, with the bot token', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicReplies().length === 1);
    const post = h.chatwoot.requests.find((r) => r.method === 'POST' && r.path.endsWith('/messages'))!;
    expect(post.path).toBe('/api/v1/accounts/1/conversations/1042/messages');
    expect(post.body).toEqual({ content: 'Resposta 1: Olá! Vocês abrem no sábado?', message_type: 'outgoing', private: false });
    expect(post.headers['api-access-token']).toBe('bot-token');
    const typing = h.chatwoot.conversation(1, 1042).typingEvents;
    expect(typing[0]).toBe('on');
    await waitUntil(() => h.chatwoot.conversation(1, 1042).typing === 'off');
  });

  it('keeps two conversations apart while they run in parallel', async () => {
    h = await startHarness({ hermes: { delayMs: 600 } });
    await Promise.all([
      h.send('message_created-incoming-text', customerMessage(1, 'Sou a Maria, conversa A', 1042)),
      h.send('message_created-incoming-text', customerMessage(2, 'Sou o João, conversa B', 1043)),
    ]);
    await waitUntil(() => publicReplies(1042).length === 1 && publicReplies(1043).length === 1);
    await h.send('message_created-incoming-text', customerMessage(3, 'Qual é o meu nome?', 1043));
    await waitUntil(() => publicReplies(1043).length === 2);
    expect(publicReplies(1042).map((m) => m.content)).toEqual(['Resposta 1: Sou a Maria, conversa A']);
    expect(publicReplies(1043).map((m) => m.content)).toEqual(['Resposta 1: Sou o João, conversa B', 'Resposta 2: Qual é o meu nome?']);
    expect([...h.hermes.sessions.keys()].sort()).toEqual(['chatwoot-1-1042', 'chatwoot-1-1043']);
    const b = h.hermes.sessions.get('chatwoot-1-1043')!;
    expect(JSON.stringify(b.history)).not.toContain('Maria');
    // They really ran at the same time (MAX_CONCURRENT_TURNS defaults to 8).
    expect(h.hermes.peakConcurrentRuns).toBeGreaterThan(1);
  });

  it('answers a burst within DEBOUNCE_MS in one turn, all messages in ONE user message, in order', async () => {
    h = await startHarness({ env: { DEBOUNCE_MS: '1000', DEBOUNCE_MAX_MS: '5000' } });
    await h.send('message_created-incoming-text', customerMessage(101, 'oi'));
    await h.send('message_created-incoming-text', customerMessage(103, 'vocês entregam'));
    await h.send('message_created-incoming-text', customerMessage(102, 'tudo bem?'));
    await waitUntil(() => publicReplies().length === 1, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 1200));
    expect(h.hermes.completions()).toHaveLength(1);
    const user = h.hermes.completions()[0]!.body.messages.filter((m: { role: string }) => m.role === 'user');
    expect(user).toEqual([{ role: 'user', content: 'oi\ntudo bem?\nvocês entregam' }]);
  });

  it('splits a reply over 4,000 characters at paragraph breaks and posts the parts in order, once', async () => {
    h = await startHarness();
    const paragraphs = Array.from({ length: 5 }, (_, i) => `Parte ${i + 1}: ` + 'detalhe '.repeat(240).trim());
    h.hermes.setReply(() => paragraphs.join('\n\n'));
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicReplies().length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    const parts = publicReplies().map((m) => m.content ?? '');
    expect(parts.every((p) => p.length <= 4000)).toBe(true);
    expect(parts.join('\n\n')).toBe(paragraphs.join('\n\n'));
    const outbox = await h.bot.store.getOutbox(h.hermes.completions()[0]!.idempotencyKey!);
    expect(outbox.map((p) => p.state)).toEqual(parts.map(() => 'posted'));
  });

  it('sends HERMES_INSTRUCTIONS as the system message', async () => {
    h = await startHarness({ env: { HERMES_INSTRUCTIONS: 'Você é a assistente da Acme.' } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicReplies().length === 1);
    expect(h.hermes.completions()[0]!.body.messages[0]).toEqual({
      role: 'system',
      content: "Você é a assistente da Acme.\n\nThe customer's first name is Maria.",
    });
  });

  it('tells Hermes the customer\'s first name only when it is a real name', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text', (b) => {
      customerMessage(1, 'Oi')(b);
      b.sender.name = '+55 11 98765-4321';
    });
    await h.send('message_created-incoming-text', (b) => {
      customerMessage(2, 'Oi', 1043)(b);
      b.sender.name = 'cliente';
    });
    await waitUntil(() => publicReplies().length === 1 && publicReplies(1043).length === 1);
    // No instructions and no usable name: no system message at all.
    for (const c of h.hermes.completions()) expect(c.body.messages.map((m: { role: string }) => m.role)).toEqual(['user']);
  });
});

describe('strict Hermes builds', () => {
  it('falls back to a header-less first turn with a unique marker, then keeps the server\'s id', async () => {
    h = await startHarness({ hermes: { sessionMode: 'strict' } });
    await h.send('message_created-incoming-text', customerMessage(1, 'Oi'));
    await waitUntil(() => publicReplies().length === 1);
    await h.send('message_created-incoming-text', customerMessage(2, 'Oi', 1043));
    await waitUntil(() => publicReplies(1043).length === 1);
    await h.send('message_created-incoming-text', customerMessage(3, 'E aí?'));
    await waitUntil(() => publicReplies().length === 2);

    const calls = h.hermes.completions();
    expect(calls[0]).toMatchObject({ sessionIdSent: 'chatwoot-1-1042', status: 404 });
    expect(calls[1]).toMatchObject({ sessionIdSent: null, status: 200 });
    expect(calls[1]!.body.messages[0].content).toContain('chatwoot-1-1042');
    const a = (await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))!;
    const b = (await h.bot.store.getSession({ accountId: 1, conversationId: 1043 }))!;
    expect(a.mode).toBe('server');
    expect(a.sessionId).toMatch(/^api-[0-9a-f]{16}$/);
    // Same system prompt, same first message "Oi": without the marker Hermes would derive one id (#7484).
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(calls.at(-1)).toMatchObject({ sessionIdSent: a.sessionId, status: 200 });
    expect(publicReplies().at(-1)?.content).toBe('Resposta 2: E aí?');
  });

  it('follows a compression-rotated session id', async () => {
    h = await startHarness({ hermes: { sessionMode: 'strict', rotateOnTurn: 2 } });
    for (let i = 0; i < 3; i++) {
      await h.send('message_created-incoming-text', customerMessage(10 + i, `mensagem ${i + 1}`));
      await waitUntil(() => publicReplies().length === i + 1);
    }
    const returned = h.hermes.completions().filter((c) => c.status === 200).map((c) => c.sessionIdReturned);
    const stored = (await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))!.sessionId;
    expect(stored).toBe(returned.at(-1));
    expect(h.hermes.completions().at(-1)!.sessionIdSent).toBe(returned.at(-2));
    expect(publicReplies().at(-1)?.content).toBe('Resposta 3: mensagem 3');
  });
});
