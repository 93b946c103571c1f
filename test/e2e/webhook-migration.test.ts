import { afterEach, describe, expect, it } from 'vitest';
import { HermesClient } from '../../src/hermes/client.js';
import { importWebhookSessions, webhookRoute } from '../../src/hermes/webhook-sessions.js';
import { waitUntil } from '../helpers/wait.js';
import { HERMES_KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The Captain payload of the older setup (hermes.md §10), for conversation `conversationId` of inbox 7. */
const captainPayload = (conversationId: number, accountId = 1) => ({
  message: '',
  contact_first_name: 'Ana',
  conversation_id: conversationId,
  conversation_internal_id: 90_000 + conversationId,
  inbox_id: 7,
  account_id: accountId,
  message_id: 58_000,
});

describe('moving from the webhook-route setup', () => {
  it('a conversation with history under captain-inbox-7 continues that Hermes session, history included', async () => {
    // The agent answers with what it remembers of this session, so the reply proves the history arrived.
    h = await startHarness({
      hermes: {
        advertiseSessionsApi: true,
        reply: ({ history, userText }) => `Lembro de ${history.filter((e) => e.role === 'user').length} mensagem(ns) antes de "${userText}"; a última resposta foi: ${String(history.at(-1)?.content ?? 'nada')}`,
      },
    });
    const old = h.hermes.seedWebhookConversation({
      route: 'captain-inbox-7',
      payload: captainPayload(1042),
      exchanges: [
        ['Quero encomendar um bolo de chocolate para sábado', 'Claro! Para quantas pessoas?'],
        ['Para 12 pessoas', 'Anotado: bolo de chocolate para 12 pessoas, sábado.'],
      ],
    });
    // Another conversation of the same route, and one of another inbox's route: neither may be picked.
    const other = h.hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: captainPayload(1043), exchanges: [['Oi', 'Olá!']] });
    h.hermes.seedWebhookConversation({ route: 'captain-inbox-8', payload: captainPayload(1042, 2), exchanges: [['Olá', 'Oi!']] });
    // The gateway's own mapping, as gateway/session.py builds it.
    expect(old.chatId).toBe('webhook:captain-inbox-7:session:1042');
    expect(old.sessionKey).toBe('agent:main:webhook:webhook:webhook:captain-inbox-7:session:1042:webhook:captain-inbox-7');
    expect(old.sessionId).toMatch(/^\d{8}_\d{6}_[0-9a-f]{8}$/);

    const result = await importWebhookSessions({
      hermes: new HermesClient({ baseUrl: h.hermes.url, apiKey: HERMES_KEY }),
      store: h.bot.store,
      route: webhookRoute(7),
      accountId: null,
    });
    expect(result.imported.map((i) => [i.key, i.sessionId]).sort()).toEqual(
      [
        [{ accountId: 1, conversationId: 1042 }, old.sessionId],
        [{ accountId: 1, conversationId: 1043 }, other.sessionId],
      ].sort(),
    );
    expect(result.unmatched).toEqual([]);

    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    const [turn] = h.hermes.completions();
    expect(turn!.sessionIdSent).toBe(old.sessionId);
    expect(turn!.status).toBe(200);
    expect(h.chatwoot.messages(1, 1042, { private: false })[0]!.content).toBe(
      'Lembro de 2 mensagem(ns) antes de "Olá! Vocês abrem no sábado?"; a última resposta foi: Anotado: bolo de chocolate para 12 pessoas, sábado.',
    );
    // Hermes keeps writing into the same session; the bot's map still names it.
    expect(h.hermes.sessions.get(old.sessionId)!.history).toHaveLength(6);
    expect((await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))?.sessionId).toBe(old.sessionId);
  });

  it('sending the chat id itself would have started an empty session; a second import changes nothing', async () => {
    h = await startHarness({ hermes: { advertiseSessionsApi: true, reply: ({ history }) => `histórico: ${history.length}` } });
    const old = h.hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: captainPayload(1042), exchanges: [['Oi', 'Olá!']] });
    const hermes = new HermesClient({ baseUrl: h.hermes.url, apiKey: HERMES_KEY });
    // The naive move: the chat id as X-Hermes-Session-Id finds no history (Hermes loads by session id).
    const naive = await hermes.complete({ sessionId: old.chatId, idempotencyKey: 'naive', system: null, user: 'Oi', deadline: Date.now() + 5000 });
    expect(naive.content).toBe('histórico: 0');

    await importWebhookSessions({ hermes, store: h.bot.store, route: 'captain-inbox-7', accountId: null });
    const again = await importWebhookSessions({ hermes, store: h.bot.store, route: 'captain-inbox-7', accountId: null });
    expect(again.imported).toEqual([]);
    expect(again.kept).toEqual([{ accountId: 1, conversationId: 1042 }]);
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    expect(h.chatwoot.messages(1, 1042, { private: false })[0]!.content).toBe('histórico: 2');
  });
});
