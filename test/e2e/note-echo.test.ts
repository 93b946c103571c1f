/**
 * Chatwoot sends the bot its own private notes too (AgentBotListener has no `private` filter): the echo
 * of a hand-off note is the witness that a note left in `posting` by an interrupted hand-off reached
 * Chatwoot, as a reply's echo already is (conversation/outbox.ts). Chatwoot renders notes as Liquid
 * before storing and echoing them (liquidable.rb), so the echo is matched against the text as rendered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChatwootClient } from '../../src/chatwoot/client.js';
import { HANDOFF_PARTS } from '../../src/domain/outbox.js';
import { waitUntil } from '../helpers/wait.js';
import { BOT_TOKEN, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.chatwoot.violations()).toEqual([]);
  await h.close();
});

const key = { accountId: 1, conversationId: 1042 };

describe("the echo of the bot's own private note", () => {
  it('confirms the hand-off note an interrupted hand-off left in posting, matched on the rendered text', async () => {
    // A long debounce: the turn below is taken by the test, not by the bot's scheduler.
    h = await startHarness({ env: { DEBOUNCE_MS: '600000', DEBOUNCE_MAX_MS: '600000' } });
    await h.send('message_created-incoming-text');
    const taken = await h.bot.store.takeTurn(key, Date.now() + 600_000);
    if (!taken.turn) throw new Error('no turn to take');
    const turnId = taken.turn.id;
    // The hand-off planned its note and marked it posting; the process died before Chatwoot's answer.
    const note = '🤖 Bot handed this conversation to the team: the customer wrote "{{ contact.name }}, {% if x %}"';
    await h.bot.store.planParts(turnId, null, [{ part: HANDOFF_PARTS.note, content: note, private: true }]);
    expect(await h.bot.store.setPartState({ turnId, part: HANDOFF_PARTS.note }, { state: 'posting', now: Date.now() })).toBe(true);

    // …but the POST had reached Chatwoot: it stores the note (rendered) and echoes it to the bot.
    const posted = await new ChatwootClient({ baseUrl: h.chatwoot.url, botToken: BOT_TOKEN }).postMessage(key, { content: note, private: true });
    expect(h.chatwoot.messages(1, 1042, { private: true }).map((m) => m.content)).toEqual([note]);

    await waitUntil(async () => (await h.bot.store.getOutbox(turnId)).find((p) => p.part === HANDOFF_PARTS.note)?.state === 'posted');
    const [part] = await h.bot.store.getOutbox(turnId);
    expect(part).toMatchObject({ part: HANDOFF_PARTS.note, state: 'posted', chatwootMessageId: posted.id });
  });
});
