/**
 * Retention (RETENTION_DAYS): the prune cycle erases the texts the bot stored — customer messages,
 * attachment URLs and transcripts, Hermes' replies, contact names — once they are older than the
 * setting, on both stores, read straight from the database; the ids stay, so a message Chatwoot
 * delivers again is still not answered twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/shared.js';
import { dumpStore } from '../helpers/store-dump.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const DAY = 24 * 60 * 60 * 1000;
const TEXT = 'Meu CPF é 123.456.789-09 e moro na Rua das Flores 123';

describe('retention', () => {
  it('erases stored texts after RETENTION_DAYS and keeps the ids that stop a second answer', async () => {
    h = await startHarness({ env: { RETENTION_DAYS: '30' } });
    const replies = () => h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content ?? '');
    await h.send('message_created-incoming-text', customerMessage(58231, TEXT));
    await waitUntil(() => replies().length === 1);
    await h.send('message_created-incoming-audio');
    await h.send('message_updated-audio-transcribed');
    await waitUntil(() => replies().length === 2);
    await waitUntil(async () => (await h.bot.store.lastTurn({ accountId: 1, conversationId: 1042 }))?.state === 'delivered');
    const audio = loadFixture('message_updated-audio-transcribed').attachments[0];
    const personal = ['123.456.789-09', 'Rua das Flores', 'Maria', audio.transcribed_text.slice(0, 30), audio.data_url, replies()[0]!, replies()[1]!];
    const stored = async () => JSON.stringify(await dumpStore(h.location));

    // Within the period nothing is erased: the store holds what it needs.
    expect(await h.bot.prune(Date.now() + 29 * DAY)).toMatchObject({ erased: { messages: 0, turns: 0, outbox: 0, conversations: 0 } });
    const before = await stored();
    for (const needle of personal) expect(before).toContain(needle);

    const pruned = await h.bot.prune(Date.now() + 31 * DAY);
    expect(pruned.erased).toMatchObject({ messages: 2, outbox: 2, conversations: 1 });
    const after = await stored();
    for (const needle of personal) expect({ needle, kept: after.includes(needle) }).toEqual({ needle, kept: false });
    // The rows and ids stay: the message ids, the turns, the posted parts' Chatwoot ids, the session.
    const dump = await dumpStore(h.location);
    expect(dump.messages!.rows.map((r) => Number(r.message_id)).sort()).toEqual([58231, 58234]);
    expect(dump.outbox!.rows.every((r) => r.content === '' && r.chatwoot_message_id != null)).toBe(true);
    expect(dump.sessions!.rows.map((r) => r.session_id)).toEqual(['chatwoot-1-1042']);

    // Chatwoot delivers the first message again: still a duplicate, not a second answer.
    const again = await h.send('message_created-incoming-text', customerMessage(58231, TEXT));
    expect(again.body).toEqual({ status: 'duplicate' });
    await sleep(300);
    expect(replies()).toHaveLength(2);
    expect(h.hermes.completions()).toHaveLength(2);
  }, 60_000);
});
