import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/shared.js';
import { chatwootSignature } from '../helpers/sign.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const webhook = () => `${h.url}/chatwoot/webhook`;

describe('authentication', () => {
  it('refuses a forged signature with 401 and stores nothing', async () => {
    h = await startHarness();
    const body = JSON.stringify(loadFixture('message_created-incoming-text'));
    const delivery = randomUUID();
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(webhook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-chatwoot-delivery': delivery, 'x-chatwoot-timestamp': String(ts), 'x-chatwoot-signature': chatwootSignature(body, 'not-the-secret', ts) },
      body,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid or missing webhook signature', reason: 'signature mismatch' });
    // Nothing was stored: the same delivery, properly signed, is new (not a duplicate) and gets answered.
    const ok = await h.send('message_created-incoming-text', undefined, { deliveryId: delivery });
    expect(ok.body).toEqual({ status: 'accepted' });
    await waitUntil(() => h.hermes.completions().length === 1);
  });

  it('a delivery Chatwoot cannot get through (secret mismatch → 401) is not retried, and Chatwoot opens the conversation', async () => {
    h = await startHarness({ env: { CHATWOOT_WEBHOOK_SECRET: 'a-secret-that-was-reset' }, chatwoot: { statusEvents: true } });
    const record = await h.deliver('message_created-incoming-text');
    expect(record).toMatchObject({ outcome: 'failed', failure: 'HTTP 401', openedConversation: true });
    expect(record.attempts).toHaveLength(1);
    const conv = h.chatwoot.conversation(1, 1042);
    expect(conv.status).toBe('open');
    expect(conv.activities.map((a) => a.content)).toEqual(['Conversation was marked open by system due to an error with the agent bot.']);
    // Chatwoot then tells the bot about the status change; those deliveries fail the same way, and open nothing more.
    await waitUntil(() => h.chatwoot.deliveries.filter((d) => d.outcome === 'failed').length === 4);
    expect(h.chatwoot.deliveries.map((d) => d.event)).toEqual(['message_created', 'conversation_opened', 'conversation_status_changed', 'conversation_updated']);
    expect(h.hermes.completions()).toHaveLength(0);
  });

  it('refuses a stale or future timestamp (replay window ±300 s)', async () => {
    h = await startHarness();
    // The exact edges are unit-tested (signature.test.ts); here the server's clock reads later than
    // ours, so the future one keeps a few seconds' margin (at +301 a second boundary made it +300).
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 305]) {
      const res = await h.post(loadFixture('message_created-incoming-text'), { timestamp });
      expect(res.status).toBe(401);
      expect(res.body.reason).toBe('stale X-Chatwoot-Timestamp (outside ±300 s)');
    }
    await sleep(100);
    expect(h.hermes.completions()).toHaveLength(0);
  });

  it('refuses a request without any signature', async () => {
    h = await startHarness();
    const res = await fetch(webhook(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(loadFixture('message_created-incoming-text')) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { reason: string }).reason).toBe('missing X-Chatwoot-Signature');
  });

  it('accepts the URL token instead, for Chatwoot < 4.13 (which does not sign)', async () => {
    const token = 'legacy-url-token-0123456789';
    h = await startHarness({ env: { CHATWOOT_WEBHOOK_SECRET: '', WEBHOOK_TOKEN: token } });
    const body = JSON.stringify({ ...loadFixture('message_created-incoming-text'), created_at: new Date().toISOString() });
    const unsigned = (q: string) => fetch(`${webhook()}${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await unsigned('')).status).toBe(401);
    expect((await unsigned('?token=wrong-token-0000000000')).status).toBe(401);
    const ok = await unsigned(`?token=${token}`);
    expect(ok.status).toBe(200);
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
  });
});

describe('bad input', () => {
  it('answers 413 to a body over 1 MiB and 400 to non-JSON or non-object bodies', async () => {
    h = await startHarness();
    const big = JSON.stringify({ event: 'message_created', content: 'x'.repeat(1024 * 1024 + 10) });
    expect((await h.post(undefined, { rawBody: big })).status).toBe(413);
    expect((await h.post(undefined, { rawBody: '{not json' })).status).toBe(400);
    const arr = await h.post([1, 2, 3]);
    expect(arr).toMatchObject({ status: 400, body: { error: 'body must be a JSON object' } });
    const text = await fetch(webhook(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(text.status).toBe(400);
  });
});

describe('every authentic event gets a 2xx; only customer messages start a turn', () => {
  it.each([
    ['message_created-outgoing-bot', 'accepted'],
    ['message_created-private-note', 'ignored'],
    ['message_updated-audio-transcribed', 'accepted'],
    ['conversation_status_changed-open', 'accepted'],
    ['conversation_resolved', 'accepted'],
    ['message_created-outgoing-agent', 'accepted'],
    ['message_created-outgoing-phone-echo', 'accepted'],
  ])('%s → 200 %s, no Hermes call', async (fixture, status) => {
    h = await startHarness();
    const res = await h.send(fixture);
    expect(res).toMatchObject({ status: 200, body: { status } });
    await sleep(150);
    expect(h.hermes.completions()).toHaveLength(0);
    expect(h.chatwoot.messages(1, 1042, { private: false })).toHaveLength(0);
  });

  it.each([
    ['template message', (b: any) => (b.message_type = 'template'), 'template message (greeting / out of office)'],
    ['activity message', (b: any) => (b.message_type = 2), 'activity message'],
    ['open conversation', (b: any) => (b.conversation.status = 'open'), 'conversation is open: humans own it'],
    ['snoozed conversation', (b: any) => (b.conversation.status = 'snoozed'), 'conversation is snoozed: humans own it'],
    ['unknown event', (b: any) => (b.event = 'webwidget_triggered'), 'event webwidget_triggered is not handled'],
  ])('%s → 200 ignored with the reason', async (_name, mutate, reason) => {
    h = await startHarness();
    const res = await h.send('message_created-incoming-text', mutate);
    expect(res).toMatchObject({ status: 200, body: { status: 'ignored', reason } });
    await sleep(100);
    expect(h.hermes.completions()).toHaveLength(0);
  });
});

describe('deduplication', () => {
  it('accepts a redelivery (same X-Chatwoot-Delivery) once', async () => {
    h = await startHarness();
    const deliveryId = randomUUID();
    expect((await h.send('message_created-incoming-text', undefined, { deliveryId })).body).toEqual({ status: 'accepted' });
    expect((await h.send('message_created-incoming-text', undefined, { deliveryId })).body).toEqual({ status: 'duplicate' });
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(1);
    expect(h.chatwoot.messages(1, 1042, { private: false })).toHaveLength(1);
  });

  it('accepts the same message id once even under another delivery id (Chatwoot #11901)', async () => {
    h = await startHarness();
    await h.send('message_created-incoming-text');
    const again = await h.send('message_created-incoming-text');
    expect(again.body).toEqual({ status: 'duplicate' });
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(1);
  });

  it('remembers deliveries across a restart', async () => {
    h = await startHarness();
    const deliveryId = randomUUID();
    const statusDelivery = randomUUID();
    await h.send('message_created-incoming-text', customerMessage(7001, 'oi'), { deliveryId });
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    expect((await h.send('conversation_status_changed-open', undefined, { deliveryId: statusDelivery })).body).toEqual({ status: 'accepted' });
    const { dataDir, location } = h;
    await h.stopBot();
    const first = h;
    h = await startHarness({ dataDir, location });
    try {
      // Chatwoot's retry of either event, after the restart: the message by its id, the status change by its delivery id.
      expect((await h.send('message_created-incoming-text', customerMessage(7001, 'oi'), { deliveryId })).body).toEqual({ status: 'duplicate' });
      expect((await h.send('message_created-incoming-text', customerMessage(7001, 'oi'))).body).toEqual({ status: 'duplicate' });
      expect((await h.send('conversation_status_changed-open', undefined, { deliveryId: statusDelivery })).body).toEqual({ status: 'duplicate' });
    } finally {
      await first.close();
    }
  });
});

describe('health', () => {
  it('serves /healthz and /readyz', async () => {
    h = await startHarness();
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${h.url}/readyz`)).json()).toEqual({ status: 'ready', store: h.bot.store.kind });
  });

  it('answers 500 (which Chatwoot retries; a 503 it does not) when the store cannot write, and /readyz says so', async () => {
    h = await startHarness();
    await h.bot.store.close();
    const res = await h.send('message_created-incoming-text');
    expect(res).toMatchObject({ status: 500, body: { error: 'temporarily unable to store the event' } });
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
  });
});
