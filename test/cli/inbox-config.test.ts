import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { customerMessage, startHarness, type Harness } from '../e2e/harness.js';
import { startFakeHermes, type FakeHermes } from '../fakes/fake-hermes.js';
import { waitUntil } from '../helpers/wait.js';

let dir: string;
let h: Harness | undefined;
let profile: FakeHermes | undefined;
afterEach(async () => {
  await h?.close();
  await profile?.close();
  h = undefined;
  profile = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI with nothing but DATA_DIR: inbox-config needs no Chatwoot or Hermes settings. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { DATA_DIR: join(dir, 'data') }, cwd: dir, out: (t) => out.push(t), err: (t) => err.push(t), log: pino({ level: 'silent' }) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('inbox-config', () => {
  it('sets, shows (secrets hidden), removes and validates overrides', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-inbox-'));
    const set = await cli('inbox-config', '7', 'instructions=Você vende bicicletas.', 'debounceMs=4000', 'hermesApiKey=k-secret-7', 'handoffTeamId=3', 'handoffLabel=humano', '--create');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('✓ Saved the settings of inbox 7 (SQLite in');
    expect(set.stdout).toContain('the running bot applies them within 5 s');
    expect(set.stdout).not.toContain('k-secret-7');

    const shown = await cli('inbox-config', '7');
    // In the schema's order, whatever the order on the command line.
    expect(shown.stdout.split('\n').slice(1)).toEqual([
      '  hermesApiKey=(set, hidden)',
      '  instructions="Você vende bicicletas."',
      '  debounceMs=4000',
      '  handoffLabel="humano"',
      '  handoffTeamId=3',
    ]);

    await cli('inbox-config', '7', 'debounceMs=', 'hermesApiKey=');
    const store = SqliteStore.open(join(dir, 'data'));
    expect(await store.getInboxSettings(7)).toEqual({ instructions: 'Você vende bicicletas.', handoffTeamId: 3, handoffLabel: 'humano' });
    await store.close();

    const bad = await cli('inbox-config', '7', 'debounceMs=soon', 'colour=blue');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown setting "colour"');
    expect(bad.stderr).toContain('debounceMs');
    expect((await cli('inbox-config', '8')).stdout).toContain('no overrides: the global settings apply.');
  });

  it('warns when a Hermes URL would receive the global key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-inbox-'));
    const res = await cli('inbox-config', '7', 'hermesUrl=http://10.0.0.5:8642', '--create');
    expect(res.stdout).toContain('! hermesUrl is set without hermesApiKey: the global HERMES_API_KEY will be sent to http://10.0.0.5:8642');
  });

  it('refuses to show settings where no store exists instead of creating one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-inbox-'));
    const res = await cli('inbox-config', '7');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No store found');
  });
});

describe('per-inbox overrides change what the Hermes call uses (the real bot, end to end)', () => {
  it("inbox 7 talks to its own Hermes profile with its own key and instructions; inbox 8 keeps the global ones; a disabled inbox is ignored", async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-inbox-'));
    profile = await startFakeHermes({ apiKey: 'inbox-7-key', reply: ({ userText }) => `Perfil das bicicletas: ${userText}` });
    expect((await cli('inbox-config', '7', `hermesUrl=${profile.url}`, 'hermesApiKey=inbox-7-key', 'instructions=Você vende bicicletas.', '--create')).code).toBe(0);
    expect((await cli('inbox-config', '9', 'enabled=false')).code).toBe(0);
    h = await startHarness({ dataDir: join(dir, 'data'), env: { HERMES_INSTRUCTIONS: 'Instruções globais.' } });

    await h.send('message_created-incoming-text', customerMessage(1, 'Tem bicicleta aro 29?', 1042));
    await h.send('message_created-incoming-text', (body) => {
      customerMessage(2, 'Oi do site', 1043)(body);
      body.inbox.id = 8;
      body.conversation.inbox_id = 8;
    });
    const ignored = await h.send('message_created-incoming-text', (body) => {
      customerMessage(3, 'Oi do suporte', 1044)(body);
      body.inbox.id = 9;
      body.conversation.inbox_id = 9;
    });
    expect(ignored).toMatchObject({ status: 200, body: { status: 'ignored' } });
    await waitUntil(() => h!.chatwoot.messages(1, 1042, { private: false }).length === 1 && h!.chatwoot.messages(1, 1043, { private: false }).length === 1);

    const own = profile.completions();
    expect(own).toHaveLength(1);
    expect(own[0]!.headers.authorization).toBe('Bearer inbox-7-key');
    expect(own[0]!.body.messages[0]).toEqual({ role: 'system', content: "Você vende bicicletas.\n\nThe customer's first name is Maria." });
    expect(h.chatwoot.messages(1, 1042, { private: false })[0]!.content).toBe('Perfil das bicicletas: Tem bicicleta aro 29?');

    const global = h.hermes.completions();
    expect(global).toHaveLength(1);
    expect(global[0]!.headers.authorization).toBe('Bearer hermes-key');
    expect(global[0]!.body.messages[0]).toEqual({ role: 'system', content: "Instruções globais.\n\nThe customer's first name is Maria." });
    expect(global[0]!.userText).toBe('Oi do site');
    expect(h.chatwoot.messages(1, 1044)).toEqual([]);
  });
});
