import { afterEach, describe, expect, it } from 'vitest';
import { startCliWorld, writes, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

describe('inboxes', () => {
  it('lists id, name, channel and which bot is connected, before and after install/enable', async () => {
    w = await startCliWorld();
    const other = w.chatwoot.addAgentBot({ name: 'Old Rasa bot' });
    w.chatwoot.addInbox({ id: 9, name: 'Suporte', channel_type: 'Channel::Whatsapp', agentBotId: other.id });

    const before = await w.run(['inboxes']);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('the bot "Hermes Assistant" is not installed yet (run: chatwoot-hermes-bot install)');

    await w.run(['install']);
    await w.run(['enable', '7']);
    await w.run(['inbox-config', '9', 'enabled=false', 'hermesApiKey=very-secret-inbox-key', 'debounceMs=5000', '--create']);
    const res = await w.run(['inboxes']);
    expect(res.code).toBe(0);
    const rows = res.stdout.split('\n');
    expect(rows[0]).toBe('Inboxes of account 1 — bot "Hermes Assistant" (id 101)');
    expect(rows.find((r) => r.startsWith('ID'))).toMatch(/^ID\s+NAME\s+CHANNEL\s+BOT\s+SETTINGS \(inbox-config\)$/);
    expect(rows.find((r) => r.startsWith('7 '))).toMatch(/^7\s+WhatsApp Vendas\s+Whatsapp\s+✓ this bot\s+defaults$/);
    expect(rows.find((r) => r.startsWith('8 '))).toMatch(/^8\s+Site\s+WebWidget\s+– none\s+defaults$/);
    expect(rows.find((r) => r.startsWith('9 '))).toMatch(/^9\s+Suporte\s+Whatsapp\s+another bot: "Old Rasa bot" \(id 100\)\s+OFF for this inbox · hermesApiKey=\(set, hidden\) · debounceMs=5000$/);
    expect(res.all).not.toContain('very-secret-inbox-key');
    expect(writes(w).filter((x) => x.includes('set_agent_bot'))).toHaveLength(1);
  });

  it('without a store here it still lists Chatwoot\'s side and says why settings are missing', async () => {
    w = await startCliWorld();
    const res = await w.run(['inboxes']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('! Per-inbox settings not shown: no store here');
  });

  it('says so when the account has no inbox', async () => {
    w = await startCliWorld({ inboxes: false });
    expect((await w.run(['inboxes'])).stdout).toContain('This account has no inboxes yet.');
  });
});
