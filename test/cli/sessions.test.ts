import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SessionRunner } from '../../src/hermes/session.js';
import { SqliteStore } from '../../src/store/sqlite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cwhb-sessions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { DATA_DIR: 'data' }, cwd: dir, out: (t) => out.push(t), err: (t) => err.push(t), log: pino({ level: 'silent' }) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Two conversations in the store, as the bot leaves them: one in the bot's own session, one in a strict build's. */
async function seed(): Promise<void> {
  const store = SqliteStore.open(join(dir, 'data'));
  const t = Date.parse('2026-11-28T10:00:00Z');
  await store.saveSession({ accountId: 1, conversationId: 1042 }, { sessionId: 'chatwoot-1-1042', mode: 'header', generation: 0 }, t);
  await store.saveSession({ accountId: 1, conversationId: 1043 }, { sessionId: 'api-0123456789abcdef', mode: 'server', generation: 0 }, t);
  await store.saveSession({ accountId: 2, conversationId: 5 }, { sessionId: 'chatwoot-2-5', mode: 'header', generation: 0 }, t);
  await store.close();
}

describe('sessions', () => {
  it('shows the conversation → Hermes session map, filtered by account or conversation', async () => {
    await seed();
    const all = await cli('sessions');
    expect(all.code).toBe(0);
    const rows = all.stdout.split('\n');
    expect(rows[0]).toMatch(/^ACCOUNT\s+CONVERSATION\s+HERMES SESSION\s+MODE\s+RESETS\s+TURNS\s+STARTED\s+LAST USED$/);
    expect(rows[1]).toMatch(/^1\s+1042\s+chatwoot-1-1042\s+header\s+0\s+0\s+2026-11-28 10:00\s+/);
    expect(rows[2]).toMatch(/^1\s+1043\s+api-0123456789abcdef\s+server\s+0/);
    expect(rows[3]).toMatch(/^2\s+5\s+chatwoot-2-5\s+header/);
    expect(all.stdout).toContain('3 conversations (SQLite in');

    const one = await cli('sessions', '--conversation', '1043');
    expect(one.stdout.split('\n').filter((l) => /^\d+\s+\d+\s/.test(l))).toHaveLength(1);
    expect(one.stdout).toContain('api-0123456789abcdef');
    const account = await cli('sessions', '--account', '2');
    expect(account.stdout).toContain('chatwoot-2-5');
    expect(account.stdout).not.toContain('chatwoot-1-1042');
    expect((await cli('sessions', '--conversation', '77')).stdout).toContain('No Hermes session for that conversation yet');
  });

  it('`sessions reset` starts a fresh Hermes session for the conversation, which the bot then uses', async () => {
    await seed();
    const res = await cli('sessions', 'reset', '1', '1042');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      '✓ Conversation 1042 of account 1 starts a fresh Hermes session with its next message: chatwoot-1-1042-g1 (was chatwoot-1-1042, 0 turns).',
    );
    const store = SqliteStore.open(join(dir, 'data'));
    expect(await store.getSession({ accountId: 1, conversationId: 1042 })).toMatchObject({ sessionId: 'chatwoot-1-1042-g1', mode: 'header', generation: 1 });
    // The next turn asks Hermes with the new id (SessionRunner reads the mapping each turn).
    const sent: Array<string | null> = [];
    const hermes = { complete: async (req: { sessionId: string | null }) => (sent.push(req.sessionId), { content: 'ok', sessionId: req.sessionId, finishReason: 'stop' }) };
    await new SessionRunner(store).ask({ hermes: hermes as never, key: { accountId: 1, conversationId: 1042 }, idempotencyKey: 'k', instructions: null, user: 'oi', deadline: Date.now() + 1000 });
    expect(sent).toEqual(['chatwoot-1-1042-g1']);
    await store.close();
    // A strict build's server id is replaced by the bot's own id again, which the runner falls back from if needed.
    expect((await cli('sessions', 'reset', '1', '1043')).stdout).toContain('chatwoot-1-1043-g1 (was api-0123456789abcdef');
  });

  it('explains instead of guessing', async () => {
    await seed();
    const unknown = await cli('sessions', 'reset', '1', '9999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Conversation 9999 of account 1 has no Hermes session yet; nothing to reset');
    expect(await cli('sessions', 'reset', '1')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: chatwoot-hermes-bot sessions reset <account-id> <conversation-id>') });
    expect(await cli('sessions', 'rest')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown sessions subcommand "rest"') });
    expect(await cli('sessions', '--conversation', 'x')).toMatchObject({ code: 2 });
  });

  it('does not create an empty store where the bot never ran', async () => {
    const res = await cli('sessions');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`No store found: ${join(dir, 'data')} does not exist`);
  });
});

describe('sessions import-webhook', () => {
  it("stores each conversation's old webhook-route session, then leaves them alone on a second run", async () => {
    const { startFakeHermes } = await import('../fakes/fake-hermes.js');
    const hermes = await startFakeHermes({ apiKey: 'hk', advertiseSessionsApi: true });
    try {
      const payload = (conversation_id: number) => ({ conversation_id, account_id: 1, inbox_id: 7, message: '' });
      const a = hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: payload(1042), exchanges: [['Oi', 'Olá!']] });
      // A later session of the same conversation (Hermes ≥ 0.18.2 ends webhook sessions after each run).
      const b = hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: payload(1042), exchanges: [['De novo', 'Oi de novo']], startedAt: Math.floor(Date.now() / 1000) - 100 });
      hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: { message: 'custom template' }, exchanges: [['x', 'y']] });
      const run = async () => {
        const out: string[] = [];
        const err: string[] = [];
        const env = { DATA_DIR: 'data', HERMES_URL: hermes.url, HERMES_API_KEY: 'hk' };
        const code = await runCli(['sessions', 'import-webhook', '7'], { env, cwd: dir, out: (t) => out.push(t), err: (t) => err.push(t), log: pino({ level: 'silent' }) });
        return { code, stdout: out.join('\n'), stderr: err.join('\n') };
      };
      const first = await run();
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`✓ Conversation 1042 of account 1 continues Hermes session ${b.sessionId} (1 older session of it stay in Hermes, unread)`);
      expect(first.stdout).not.toContain(a.sessionId);
      expect(first.stderr).toMatch(/^! 1 session of route captain-inbox-7 name no conversation or no account \(pass --account\): \d{8}_\d{6}_[0-9a-f]{8}$/);
      expect(first.stderr).not.toContain('hk');
      const second = await run();
      expect(second.stdout).toContain('- Conversation 1042 of account 1 already has a session in the bot: left as it is');
      expect(second.stdout).toContain('0 conversations of route captain-inbox-7 imported');
      const listed = await cli('sessions', '--conversation', '1042');
      expect(listed.stdout).toMatch(new RegExp(`^1\\s+1042\\s+${b.sessionId}\\s+header\\s+0\\s+0`, 'm'));
    } finally {
      await hermes.close();
    }
  });

  it('says what is missing without Hermes settings, or when Hermes has no sessions API', async () => {
    expect((await cli('sessions', 'import-webhook', '7')).stderr).toContain('Set HERMES_URL and HERMES_API_KEY');
    const { startFakeHermes } = await import('../fakes/fake-hermes.js');
    const hermes = await startFakeHermes({ apiKey: 'hk' });
    try {
      const err: string[] = [];
      const code = await runCli(['sessions', 'import-webhook', '7'], { env: { DATA_DIR: 'data', HERMES_URL: hermes.url, HERMES_API_KEY: 'hk' }, cwd: dir, out: () => {}, err: (t) => err.push(t), log: pino({ level: 'silent' }) });
      expect(code).toBe(1);
      expect(err.join('\n')).toContain('no sessions API');
    } finally {
      await hermes.close();
    }
  });
});
