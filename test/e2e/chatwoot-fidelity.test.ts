/**
 * The bot against the Chatwoot that exists (v4.13 → v4.15.1): what its code really sends and answers,
 * as the strict fake reproduces it (chatwoot.md §2, §3, §5, §7, §8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content);
const notes = () => h.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content ?? '');
const status = () => h.chatwoot.conversation(1, 1042).status;

describe('behind a default nginx (headers with underscores dropped)', () => {
  it('answers and hands off: every call carries the token as api-access-token', async () => {
    h = await startHarness({ chatwoot: { dropUnderscoreHeaders: true } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    await h.send('message_created-incoming-text', (b) => {
      b.id = 58300;
      b.content = 'Quero falar com um atendente';
    });
    await waitUntil(() => status() === 'open');
    expect(h.chatwoot.conversation(1, 1042).labels).toEqual(['bot-handoff']);
    expect(h.chatwoot.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(h.chatwoot.requests.every((r) => r.headers['api-access-token'] === 'bot-token')).toBe(true);
  });
});
