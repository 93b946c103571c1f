/**
 * Erasure on request: `chatwoot-hermes-bot forget --conversation <account> <id>` and `forget --contact
 * <id>` against the running bot, on both stores, with the fake Hermes answering DELETE
 * /api/sessions/{id} as api_server.py does. The store is read straight from the database.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { dumpStore } from '../helpers/store-dump.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, HERMES_KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

/** The CLI in this process, where the bot runs: the same store, the same Hermes. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { ...h.location.env, HERMES_URL: h.hermes.url, HERMES_API_KEY: HERMES_KEY, HERMES_TIMEOUT_MS: '5000' },
    cwd: h.dataDir,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    log: pino({ level: 'silent' }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A customer message from contact `contactId` (the fixture's sender is contact 3120, Maria Souza). */
const from = (contactId: number, id: number, text: string, conversationId: number) => (b: any) => {
  customerMessage(id, text, conversationId)(b);
  b.sender.id = contactId;
  b.conversation.contact_inbox.contact_id = contactId;
};
const replies = (conversation: number) => h.chatwoot.messages(1, conversation, { private: false });
const rowsOf = async (conversation: number) => {
  const dump = await dumpStore(h.location);
  return JSON.stringify(Object.values(dump).flatMap((t) => t.rows.filter((r) => Number(r.conversation_id) === conversation)));
};

describe('forget', () => {
  it('--conversation erases one conversation and its Hermes session, keeps the others, and is safe twice', async () => {
    h = await startHarness({ hermes: { advertiseSessionsApi: true } });
    await h.send('message_created-incoming-text', from(3120, 801, 'Meu CPF é 123.456.789-09', 1042));
    await h.send('message_created-incoming-text', from(4444, 802, 'Meu CPF é 987.654.321-00', 2002));
    await waitUntil(() => replies(1042).length === 1 && replies(2002).length === 1);
    await waitUntil(async () => (await h.bot.store.lastTurn({ accountId: 1, conversationId: 1042 }))?.state === 'delivered');
    expect(h.hermes.sessions.has('chatwoot-1-1042')).toBe(true);
    expect(await rowsOf(1042)).toContain('123.456.789-09');

    const first = await cli(['forget', '--conversation', '1', '1042']);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('✓ Conversation 1042 of account 1: erased 1 message, 1 reply or error, 1 posted or planned text, the contact name; the bot stays out of it from now on');
    expect(first.out).toContain('✓ Hermes session chatwoot-1-1042 deleted');
    expect(h.hermes.sessions.has('chatwoot-1-1042')).toBe(false);
    const erased = await rowsOf(1042);
    for (const needle of ['123.456.789-09', 'Maria', replies(1042)[0]!.content!]) expect(erased).not.toContain(needle);
    // The bare id stays (Postgres returns BIGINT as a string).
    expect(erased).toMatch(/"message_id":"?801"?/);
    // The other customer's conversation is untouched.
    expect(await rowsOf(2002)).toContain('987.654.321-00');
    expect(h.hermes.sessions.has('chatwoot-1-2002')).toBe(true);

    // A redelivery of the old message, and a new one: neither is answered, nothing is stored.
    expect((await h.send('message_created-incoming-text', from(3120, 801, 'Meu CPF é 123.456.789-09', 1042))).body).toMatchObject({ status: 'ignored' });
    expect((await h.send('message_created-incoming-text', from(3120, 803, 'Ainda está aí?', 1042))).body).toMatchObject({ status: 'ignored' });
    await sleep(300);
    expect(replies(1042)).toHaveLength(1);
    expect(await rowsOf(1042)).not.toContain('Ainda está aí?');

    const second = await cli(['forget', '--conversation', '1', '1042']);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/✓ Conversation 1042 of account 1: nothing left to erase \(already forgotten on \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(second.out).toContain('– Hermes session chatwoot-1-1042: not in Hermes (never created, or deleted before)');

    const unknown = await cli(['forget', '--conversation', '1', '999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('holds nothing of conversation 999 of account 1: nothing erased');
  }, 60_000);

  it("--contact erases every conversation of that contact and no one else's; an unknown contact is refused", async () => {
    h = await startHarness({ hermes: { advertiseSessionsApi: true } });
    await h.send('message_created-incoming-text', from(3120, 811, 'Rua das Flores 123', 3001));
    await h.send('message_created-incoming-text', from(3120, 812, 'Rua das Flores 456', 3002));
    await h.send('message_created-incoming-text', from(4444, 813, 'Avenida Paulista 1000', 3003));
    await waitUntil(() => [3001, 3002, 3003].every((c) => replies(c).length === 1));
    await waitUntil(async () => (await h.bot.store.lastTurn({ accountId: 1, conversationId: 3002 }))?.state === 'delivered');

    const res = await cli(['forget', '--contact', '3120']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('✓ Conversation 3001 of account 1: erased');
    expect(res.out).toContain('✓ Conversation 3002 of account 1: erased');
    expect(res.out).not.toContain('3003');
    expect([...h.hermes.sessions.keys()].filter((id) => id.startsWith('chatwoot-1-300')).sort()).toEqual(['chatwoot-1-3003']);
    expect((await rowsOf(3001)) + (await rowsOf(3002))).not.toContain('Rua das Flores');
    expect(await rowsOf(3003)).toContain('Avenida Paulista 1000');

    const unknown = await cli(['forget', '--contact', '999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('holds no conversation of contact 999: nothing erased');
  }, 60_000);

  it('stops a turn in flight first: nothing is posted or written back, and the session Hermes wrote meanwhile is deleted', async () => {
    h = await startHarness({ hermes: { advertiseSessionsApi: true } });
    h.hermes.setDelay(1500);
    await h.send('message_created-incoming-text', from(3120, 821, 'Meu cartão final 5521 foi clonado', 4001));
    await waitUntil(() => h.hermes.activeRuns === 1);

    const res = await cli(['forget', '--conversation', '1', '4001']);
    expect(res.code).toBe(0);
    // forget waited for the bot's turn to end (Hermes answered meanwhile), then deleted the session it wrote.
    expect(h.hermes.runs).toBe(1);
    expect(h.hermes.activeRuns).toBe(0);
    expect(res.out).toContain('✓ Hermes session chatwoot-1-4001 deleted');
    expect(h.hermes.sessions.has('chatwoot-1-4001')).toBe(false);
    await sleep(500);
    expect(h.chatwoot.messages(1, 4001)).toEqual([]);
    const rows = await rowsOf(4001);
    expect(rows).not.toContain('5521');
    expect(rows).not.toContain('Resposta');
    expect(await h.bot.store.lastTurn({ accountId: 1, conversationId: 4001 })).toMatchObject({ state: 'skipped' });
  }, 60_000);
});
