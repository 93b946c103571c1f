import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('Hermes restarting (503 gateway_draining)', () => {
  it('waits as long as Retry-After says, then answers in the same session, without a hand-off', async () => {
    // The harness retries Hermes after 20 ms of its own; only the header can make it wait a second.
    h = await startHarness();
    h.hermes.setDraining(true);
    await h.send('message_created-incoming-text');
    await h.hermes.waitFor((f) => f.completions().some((c) => c.status === 503));
    const drainedAt = Date.now();
    // Hermes comes back well before the second Hermes asked for has passed.
    await new Promise((r) => setTimeout(r, 200));
    h.hermes.setDraining(false);
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1, { timeoutMs: 8000 });

    const calls = h.hermes.completions();
    expect(calls.map((c) => c.status)).toEqual([503, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(calls[1]!.at).toBeGreaterThan(drainedAt);
    expect(calls[1]!.sessionIdSent).toBe(calls[0]!.sessionIdSent);
    expect(h.chatwoot.conversation(1, 1042).status).toBe('pending');
    expect(h.chatwoot.messages(1, 1042, { private: true })).toHaveLength(0);
  });

  it('hands off when Hermes keeps draining past HERMES_TIMEOUT_MS', async () => {
    h = await startHarness({ env: { HERMES_TIMEOUT_MS: '2500' } });
    h.hermes.setDraining(true);
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.conversation(1, 1042).status === 'open', { timeoutMs: 8000 });
    const calls = h.hermes.completions();
    // One attempt a second, as asked: not the harness' 20 ms backoff (which would make many more).
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(calls.every((c) => c.status === 503)).toBe(true);
    expect(h.chatwoot.messages(1, 1042, { private: true })[0]?.content).toContain('gateway_draining');
  });
});
