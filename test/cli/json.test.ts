/**
 * `--json` on inboxes, sessions, doctor and inbox-config: the documented shapes (README → Commands),
 * pinned whole so a change to a shape is a visible change to this file and to the README.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MARK } from '../../src/cli/format.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { botEnv, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

/** stdout must be exactly one JSON document: parse it whole, never a line out of it. */
function parsed(res: { code: number; stdout: string }): unknown {
  return JSON.parse(res.stdout);
}

describe('--json', () => {
  it('inboxes: the account, this bot, and per inbox the connected bot and its settings (secrets hidden)', async () => {
    w = await startCliWorld();
    const before = await w.run(['inboxes', '--json']);
    expect(before.code).toBe(0);
    expect(parsed(before)).toEqual({
      accountId: 1,
      bot: null,
      settingsAvailable: false,
      inboxes: [
        { id: 7, name: 'WhatsApp Vendas', channel: 'Whatsapp', connectedBot: null, settings: null },
        { id: 8, name: 'Site', channel: 'WebWidget', connectedBot: null, settings: null },
      ],
    });

    const other = w.chatwoot.addAgentBot({ name: 'Old Rasa bot' });
    w.chatwoot.addInbox({ id: 9, name: 'Suporte', channel_type: 'Channel::Whatsapp', agentBotId: other.id });
    await w.run(['install']);
    await w.run(['enable', '7']);
    await w.run(['inbox-config', '9', 'enabled=false', 'hermesApiKey=very-secret-inbox-key', 'debounceMs=5000', '--create']);
    const after = await w.run(['inboxes', '--json']);
    expect(after.stdout).not.toContain('very-secret-inbox-key');
    expect(parsed(after)).toEqual({
      accountId: 1,
      bot: { id: 101, name: 'Hermes Assistant' },
      settingsAvailable: true,
      inboxes: [
        { id: 7, name: 'WhatsApp Vendas', channel: 'Whatsapp', connectedBot: { id: 101, name: 'Hermes Assistant', thisBot: true }, settings: {} },
        { id: 8, name: 'Site', channel: 'WebWidget', connectedBot: null, settings: {} },
        {
          id: 9,
          name: 'Suporte',
          channel: 'Whatsapp',
          connectedBot: { id: 100, name: 'Old Rasa bot', thisBot: false },
          settings: { enabled: false, hermesApiKey: '(set, hidden)', debounceMs: 5000 },
        },
      ],
    });
  });

  it('sessions: the store and one object per conversation; reset names the new and the old session', async () => {
    w = await startCliWorld();
    const store = SqliteStore.open(w.dataDir);
    const t = Date.parse('2026-11-28T10:00:00Z');
    await store.saveSession({ accountId: 1, conversationId: 1042 }, { sessionId: 'chatwoot-1-1042', mode: 'header', generation: 0 }, t);
    await store.saveSession({ accountId: 1, conversationId: 1043 }, { sessionId: 'api-0123456789abcdef', mode: 'server', generation: 0 }, t);
    await store.close();

    const list = await w.run(['sessions', '--json']);
    expect(list.code).toBe(0);
    const where = `SQLite in ${w.dataDir}`;
    const first = { accountId: 1, conversationId: 1042, sessionId: 'chatwoot-1-1042', mode: 'header', resets: 0, turns: 0, startedAt: '2026-11-28T10:00:00.000Z', lastUsedAt: null };
    expect(parsed(list)).toEqual({
      store: where,
      sessions: [first, { ...first, conversationId: 1043, sessionId: 'api-0123456789abcdef', mode: 'server' }],
    });
    expect(parsed(await w.run(['sessions', '--json', '--conversation', '77']))).toEqual({ store: where, sessions: [] });

    const reset = await w.run(['sessions', 'reset', '1', '1042', '--json']);
    expect(reset.code).toBe(0);
    expect(parsed(reset)).toEqual({ accountId: 1, conversationId: 1042, sessionId: 'chatwoot-1-1042-g1', previousSessionId: 'chatwoot-1-1042', previousTurns: 0 });
    expect(parsed(await w.run(['sessions', '--json', '--conversation', '1042']))).toMatchObject({ sessions: [{ sessionId: 'chatwoot-1-1042-g1', resets: 1 }] });
  });

  it('sessions import-webhook: the route, the store, imported, kept and unmatched sessions', async () => {
    w = await startCliWorld({ hermes: { advertiseSessionsApi: true } });
    const payload = { conversation_id: 1042, account_id: 1, inbox_id: 7, message: '' };
    const old = w.hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload, exchanges: [['Oi', 'Olá!']] });
    const stray = w.hermes.seedWebhookConversation({ route: 'captain-inbox-7', payload: { message: 'custom template' }, exchanges: [['x', 'y']] });
    const where = `SQLite in ${w.dataDir}`;
    const first = await w.run(['sessions', 'import-webhook', '7', '--json']);
    expect(first.code).toBe(0);
    expect(parsed(first)).toEqual({
      route: 'captain-inbox-7',
      store: where,
      imported: [{ accountId: 1, conversationId: 1042, sessionId: old.sessionId, olderSessions: 0 }],
      kept: [],
      unmatched: [stray.sessionId],
    });
    expect(parsed(await w.run(['sessions', 'import-webhook', '7', '--json']))).toEqual({
      route: 'captain-inbox-7',
      store: where,
      imported: [],
      kept: [{ accountId: 1, conversationId: 1042 }],
      unmatched: [stray.sessionId],
    });
  });

  it('doctor: ok, counts and the same checks as the text report, every key present; exit code unchanged', async () => {
    w = await startCliWorld();
    expect((await w.run(['install'])).code).toBe(0);
    expect((await w.run(['enable', '7'])).code).toBe(0);
    Object.assign(w.env, botEnv(w));
    await w.startBot();

    const text = await w.run(['doctor']);
    const json = await w.run(['doctor', '--json']);
    expect(json.code).toBe(text.code);
    const report = parsed(json) as { bot: string; accountId: number; ok: boolean; failed: number; warnings: number; checks: Array<Record<string, unknown>> };
    expect(report).toMatchObject({ bot: 'Hermes Assistant', accountId: 1, ok: true, failed: 0, warnings: 0 });
    expect(report.checks.length).toBeGreaterThanOrEqual(10);
    for (const check of report.checks) {
      expect(Object.keys(check)).toEqual(['status', 'title', 'details', 'fix']);
      expect(text.stdout).toContain(`${MARK[check.status as keyof typeof MARK]} ${check.title}`);
    }

    // A failing check: ok false, exit 1, the fix carried along.
    const broken = await w.run(['doctor', '--json'], { HERMES_API_KEY: 'wrong-key' });
    expect(broken.code).toBe(1);
    const failed = parsed(broken) as typeof report;
    expect(failed).toMatchObject({ ok: false, failed: 1 });
    expect(failed.checks.filter((c) => c.status === 'fail')).toEqual([
      { status: 'fail', title: expect.stringMatching(/^Hermes refuses the API key/), details: expect.any(Array), fix: expect.stringContaining('HERMES_API_KEY') },
    ]);
  });

  it('inbox-config: one shape for showing and saving, naming the store and whether it was created', async () => {
    w = await startCliWorld();
    const where = `SQLite in ${w.dataDir}`;
    const saved = await w.run(['inbox-config', '7', 'hermesUrl=http://10.0.0.5:8642', 'debounceMs=4000', '--create', '--json']);
    expect(saved.code).toBe(0);
    expect(parsed(saved)).toEqual({
      inboxId: 7,
      store: where,
      storeCreated: true,
      saved: true,
      settings: { hermesUrl: 'http://10.0.0.5:8642', debounceMs: 4000 },
      invalid: null,
      warnings: [
        'hermesUrl is set without hermesApiKey: the global HERMES_API_KEY will be sent to http://10.0.0.5:8642. Set hermesApiKey=- (read from standard input) if that server has its own key.',
      ],
    });
    const again = await w.run(['inbox-config', '7', 'hermesApiKey=k-7', '--create', '--json']);
    expect(parsed(again)).toMatchObject({ storeCreated: false, settings: { hermesApiKey: '(set, hidden)' }, warnings: [] });
    expect(again.stdout).not.toContain('k-7');

    // Stored settings the bot cannot use (written by an older version, say) are shown with the reason.
    const store = SqliteStore.open(w.dataDir);
    await store.saveInboxSettings(8, { debounceMs: 'soon' } as never, Date.now());
    await store.close();
    expect(parsed(await w.run(['inbox-config', '8', '--json']))).toEqual({
      inboxId: 8,
      store: where,
      storeCreated: false,
      saved: false,
      settings: { debounceMs: 'soon' },
      invalid: expect.stringMatching(/^debounceMs: /),
      warnings: [],
    });
  });
});
