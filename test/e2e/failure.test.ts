import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../helpers/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const FALLBACK = 'Um momento, vou chamar alguém da equipe.';
const handedOff = () => h.chatwoot.conversation(1, 1042).status === 'open';

describe('when Hermes fails, the customer is not left in silence', () => {
  it('Hermes down: fallback message, private note with the reason, conversation opened, labelled', async () => {
    h = await startHarness({ env: { FALLBACK_MESSAGE: FALLBACK, HERMES_TIMEOUT_MS: '1500' } });
    h.hermes.setDown(true);
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff, { timeoutMs: 8000 });
    const [fallback] = h.chatwoot.messages(1, 1042, { private: false });
    expect(fallback?.content).toBe(FALLBACK);
    const [note] = h.chatwoot.messages(1, 1042, { private: true });
    expect(note?.content).toMatch(/^🤖 Bot handed this conversation to the team: Hermes (unavailable|timeout)/);
    expect(h.chatwoot.conversation(1, 1042).labels).toContain('bot-handoff');
    expect(h.chatwoot.conversation(1, 1042).history.at(-1)).toMatchObject({ from: 'pending', to: 'open', by: 'bot' });
    // Retried before giving up.
    expect(h.hermes.requests.filter((r) => r.path === '/v1/chat/completions').length).toBeGreaterThan(1);
    expect(h.chatwoot.violations()).toEqual([]);
  });

  it('never forwards the text of an incomplete run (502 agent_incomplete), and does not retry it', async () => {
    h = await startHarness({ env: { FALLBACK_MESSAGE: FALLBACK } });
    h.hermes.failNext(['incomplete']);
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff);
    expect(h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content)).toEqual([FALLBACK]);
    expect(h.hermes.completions()).toHaveLength(1);
    expect(h.chatwoot.messages(1, 1042, { private: true })[0]?.content).toContain('Hermes incomplete');
  });

  it('treats a partial run (X-Hermes-Completed: false, finish_reason error) as a failure', async () => {
    h = await startHarness();
    h.hermes.failNext(['partial']);
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff);
    // No FALLBACK_MESSAGE configured: the customer gets nothing from the bot, the team a note.
    expect(h.chatwoot.messages(1, 1042, { private: false })).toHaveLength(0);
    expect(h.chatwoot.messages(1, 1042, { private: true })[0]?.content).toContain('incomplete run');
  });

  it('retries 500 and 429 (honouring Retry-After) and then answers normally', async () => {
    h = await startHarness();
    h.hermes.failNext(['server_error', 'rate_limited', 'reset']);
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1, { timeoutMs: 8000 });
    const calls = h.hermes.completions();
    expect(calls.map((c) => c.status)).toEqual([500, 429, 0, 200]);
    // Retry-After: 1 → at least a second between the 429 and the next attempt.
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(900);
    // One key for all attempts, so Hermes can replay instead of running the agent twice.
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(h.chatwoot.conversation(1, 1042).status).toBe('pending');
  });

  it('an unauthorized key is not retried and hands off', async () => {
    h = await startHarness();
    h.hermes.failNext(['auth']);
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff);
    expect(h.hermes.completions()).toHaveLength(1);
    expect(h.chatwoot.messages(1, 1042, { private: true })[0]?.content).toContain('Hermes unauthorized');
  });
});

describe('when Chatwoot fails', () => {
  it('retries 500/429 on the reply and posts it exactly once', async () => {
    h = await startHarness();
    h.chatwoot.failNext({ method: 'POST', path: /\/messages$/ }, [{ status: 500 }, { status: 429, headers: { 'retry-after': '0' } }]);
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1, { timeoutMs: 8000 });
    await sleep(300);
    expect(h.chatwoot.messages(1, 1042, { private: false })).toHaveLength(1);
  });

  it('a connection reset before Chatwoot stored the reply is retried, and the reply posted once', async () => {
    h = await startHarness();
    h.chatwoot.failNext({ method: 'POST', path: /\/messages$/ }, ['reset']);
    await h.send('message_created-incoming-text');
    await sleep(1500);
    const posts = h.chatwoot.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages') && !r.body?.private);
    expect(h.chatwoot.messages(1, 1042, { private: false })).toHaveLength(1);
    expect(posts.length).toBe(2);
  });

  it('a final 4xx on the reply hands the conversation to humans with the reason', async () => {
    h = await startHarness();
    h.chatwoot.failNext({ method: 'POST', path: /\/messages$/ }, [{ status: 422, body: { error: 'Validation failed: Too many messages' } }]);
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff);
    expect(h.chatwoot.messages(1, 1042, { private: true })[0]?.content).toContain('the reply could not be posted');
  });

  it('Chatwoot down during a hand-off: the customer message, the note and the open status are posted once it is back', async () => {
    h = await startHarness({ env: { FALLBACK_MESSAGE: FALLBACK } });
    h.hermes.failNext(['auth']); // an immediate hand-off
    // Every attempt the client makes at the fallback, the note and toggle_status during the first
    // hand-off fails (4 each; Retry-After 0 keeps the test fast): Chatwoot is overloaded, then recovers.
    const busy = { status: 429, headers: { 'retry-after': '0' } };
    h.chatwoot.failNext({ method: 'POST', path: /\/(messages|toggle_status)$/ }, Array.from({ length: 12 }, () => busy));
    await h.send('message_created-incoming-text');
    await waitUntil(handedOff, { timeoutMs: 15_000 });
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: true }).length === 1);
    await sleep(300);
    expect(h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content)).toEqual([FALLBACK]);
    const notes = h.chatwoot.messages(1, 1042, { private: true });
    expect(notes).toHaveLength(1);
    expect(notes[0]?.content).toContain('Hermes unauthorized');
    expect(h.chatwoot.conversation(1, 1042).history).toEqual([expect.objectContaining({ from: 'pending', to: 'open', by: 'bot' })]);
    // The failures were really spent on the first hand-off: the second one did the work.
    expect(h.chatwoot.requests.filter((r) => /\/toggle_status$/.test(r.path)).map((r) => r.status)).toEqual([429, 429, 429, 429, 200]);
  }, 30_000);

  it('does not post when the conversation left pending while Hermes was thinking', async () => {
    h = await startHarness({ hermes: { delayMs: 400 } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.hermes.activeRuns === 1);
    h.chatwoot.setConversation(1, 1042, { status: 'open' });
    await waitUntil(() => h.hermes.runs === 1);
    await sleep(300);
    expect(h.chatwoot.messages(1, 1042)).toHaveLength(0);
  });
});
