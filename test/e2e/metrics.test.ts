import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheus, sampleId } from '../helpers/prometheus.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

const TOKEN = 'metrics-token-for-the-e2e-test';
const P = 'chatwoot_hermes_bot_';
const key = { accountId: 1, conversationId: 1042 };

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const scrape = (authorization?: string) => fetch(`${h.url}/metrics`, authorization ? { headers: { authorization } } : {});

/** A customer message in conversation 2000 of inbox 8, whose debounce is a minute: it stays waiting. */
function inInbox8(id: number): (body: any) => void {
  return (body) => {
    customerMessage(id, 'Bom dia', 2000)(body);
    body.inbox.id = 8;
    body.conversation.inbox_id = 8;
  };
}

describe('GET /metrics after a scripted conversation', () => {
  it('counts each event, turn, Hermes request, hand-off, blocked reply and post exactly', async () => {
    // No echoes: every webhook the bot receives is one this test sends, so each count is known.
    h = await startHarness({ chatwoot: { echo: false }, env: { METRICS_TOKEN: TOKEN } });
    h.hermes.setReply(({ turn }) => (turn === 1 ? 'Abrimos às 9h.' : '⚡ Interrupting current task…'));
    await h.bot.store.saveInboxSettings(8, { debounceMs: 60_000 }, Date.now());
    const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false });
    const notes = () => h.chatwoot.messages(1, 1042, { private: true });

    // 1. A reply, after one Hermes 500 that is retried.
    h.hermes.failNext(['server_error']);
    expect((await h.send('message_created-incoming-text', customerMessage(1, 'Que horas abrem?'), { deliveryId: 'd-1' })).body).toEqual({ status: 'accepted' });
    await waitUntil(() => publicMessages().length === 1, { timeoutMs: 10_000 });
    // 2. Chatwoot delivers the same message again.
    expect((await h.send('message_created-incoming-text', customerMessage(1, 'Que horas abrem?'), { deliveryId: 'd-1' })).body).toEqual({ status: 'duplicate' });
    // 3. An event the bot ignores: an agent's private note.
    expect((await h.send('message_created-private-note')).body).toMatchObject({ status: 'ignored' });
    // 4. A reply the guard blocks (a gateway status line): a private note, no hand-off.
    await h.send('message_created-incoming-text', customerMessage(2, 'E amanhã?'));
    await waitUntil(() => notes().length === 1, { timeoutMs: 10_000 });
    // 5. A customer asking for a human: handed off without asking Hermes.
    await h.send('message_created-incoming-text', customerMessage(3, 'Quero falar com um atendente'));
    await waitUntil(async () => (await h.bot.store.lastTurn(key))?.state === 'handed_off', { timeoutMs: 10_000 });
    // 6. A forged webhook, and a message that waits in its debounce.
    expect((await h.post({ event: 'message_created' }, { headers: { 'x-chatwoot-signature': 'sha256=00' } })).status).toBe(401);
    await h.send('message_created-incoming-text', inInbox8(10));

    let samples = new Map<string, number>();
    // The turn's outcome is counted right after the store records it: wait for that, then read once more.
    await waitUntil(async () => {
      const res = await scrape(`Bearer ${TOKEN}`);
      samples = parsePrometheus(await res.text());
      return samples.get(sampleId(`${P}turns_total`, { outcome: 'handed_off' })) === 1;
    });
    const value = (name: string, labels: Record<string, string> = {}) => samples.get(sampleId(`${P}${name}`, labels));
    const event = (kind: string, outcome: string, reason = '') => value('webhook_events_total', { kind, outcome, reason });

    // Messages 1, 2, 3 and the one in inbox 8.
    expect(event('customer_message', 'accepted')).toBe(4);
    expect(event('customer_message', 'duplicate')).toBe(1);
    expect(event('unhandled', 'ignored', 'private_note')).toBe(1);
    expect(event('unread', 'refused', 'bad_signature')).toBe(1);
    expect(value('webhook_ack_seconds_count', { status: '200' })).toBe(6);
    expect(value('webhook_ack_seconds_count', { status: '401' })).toBe(1);
    // Every answer within Chatwoot's 5 s.
    expect(value('webhook_ack_seconds_bucket', { status: '200', le: '5' })).toBe(6);

    expect(value('turns_total', { outcome: 'delivered' })).toBe(1);
    expect(value('turns_total', { outcome: 'skipped' })).toBe(1);
    expect(value('turns_total', { outcome: 'handed_off' })).toBe(1);
    expect(value('turns_total', { outcome: 'failed' })).toBeUndefined();

    expect(value('hermes_request_seconds_count', { outcome: 'ok' })).toBe(2);
    expect(value('hermes_request_seconds_count', { outcome: 'error' })).toBe(1);
    expect(value('hermes_errors_total', { kind: 'unavailable' })).toBe(1);
    expect(h.hermes.completions()).toHaveLength(3);

    expect(value('handoffs_total', { reason: 'asks_for_human' })).toBe(1);
    expect(value('replies_blocked_total', { kind: 'gateway_status' })).toBe(1);
    expect(value('messages_posted_total', { part: 'reply' })).toBe(publicMessages().length);
    expect(value('messages_posted_total', { part: 'reply' })).toBe(1);
    expect(value('messages_posted_total', { part: 'blocked' })).toBe(1);
    expect(value('messages_posted_total', { part: 'note' })).toBe(1);
    expect(notes()).toHaveLength(2);

    // Read from the store: only conversation 2000 waits, in its debounce.
    expect(value('conversations_waiting', { state: 'debouncing' })).toBe(1);
    expect(value('conversations_waiting', { state: 'due' })).toBe(0);
    expect(value('conversations_waiting', { state: 'in_turn' })).toBe(0);
    expect(value('oldest_due_seconds')).toBe(0);
    // Measured since the previous scrape (test/unit/metrics/event-loop.test.ts checks what it shows).
    expect(value('event_loop_delay_seconds', { stat: 'max' })).toBeGreaterThanOrEqual(0);
  });

  it("counts a failed WhatsApp delivery's hand-off by its own kind, once however often Chatwoot reports it", async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1, { timeoutMs: 10_000 });
    const reply = h.chatwoot.messages(1, 1042, { private: false })[0]!;
    h.chatwoot.failDelivery(1, 1042, reply.id, '131047: Re-engagement message');
    h.chatwoot.failDelivery(1, 1042, reply.id, '131047: Re-engagement message');
    let samples = new Map<string, number>();
    const value = (name: string, labels: Record<string, string>) => samples.get(sampleId(`${P}${name}`, labels));
    await waitUntil(
      async () => {
        samples = parsePrometheus(await (await scrape()).text());
        return value('turns_total', { outcome: 'handed_off' }) === 1 && value('webhook_events_total', { kind: 'delivery_failed', outcome: 'duplicate', reason: '' }) === 1;
      },
      { timeoutMs: 10_000 },
    );
    expect(value('handoffs_total', { reason: 'whatsapp_undelivered' })).toBe(1);
    expect(value('webhook_events_total', { kind: 'delivery_failed', outcome: 'accepted', reason: '' })).toBe(1);
    expect(value('messages_posted_total', { part: 'note' })).toBe(1);
  });

  it('answers 401 without the bearer token or with a wrong one, and never echoes the token', async () => {
    h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', TOKEN, `Basic ${TOKEN}`]) {
      const res = await scrape(authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain(TOKEN);
    }
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toContain(`# TYPE ${P}webhook_ack_seconds histogram`);
  });

  it('is open when METRICS_TOKEN is not set', async () => {
    h = await startHarness();
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(parsePrometheus(await res.text()).get(sampleId(`${P}conversations_waiting`, { state: 'debouncing' }))).toBe(0);
  });
});
