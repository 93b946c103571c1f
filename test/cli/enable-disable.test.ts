import { afterEach, describe, expect, it } from 'vitest';
import { startCliWorld, writes, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  // set_agent_bot answers 200 with an EMPTY body (the spec says 204): the CLI must take that as success.
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

async function installed(): Promise<number> {
  w = await startCliWorld();
  await w.run(['install']);
  return [...w.chatwoot.agentBots.values()][0]!.id;
}

describe('enable', () => {
  it('connects the bot to each inbox with set_agent_bot, and running it again changes nothing', async () => {
    const botId = await installed();
    const res = await w.run(['enable', '7', '8']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('✓ inbox 7 (WhatsApp Vendas): connected to "Hermes Assistant".');
    expect(res.stdout).toContain('✓ inbox 8 (Site): connected to "Hermes Assistant".');
    expect(w.chatwoot.inboxes.get(7)!.agentBotId).toBe(botId);
    expect(w.chatwoot.inboxes.get(8)!.agentBotId).toBe(botId);
    const sets = w.chatwoot.requests.filter((r) => r.path.endsWith('/set_agent_bot'));
    expect(sets.map((r) => [r.path, r.body, r.status])).toEqual([
      ['/api/v1/accounts/1/inboxes/7/set_agent_bot', { agent_bot: botId }, 200],
      ['/api/v1/accounts/1/inboxes/8/set_agent_bot', { agent_bot: botId }, 200],
    ]);
    const before = writes(w).length;
    const again = await w.run(['enable', '7']);
    expect(again.stdout).toContain('✓ inbox 7 (WhatsApp Vendas): already connected to "Hermes Assistant".');
    expect(writes(w)).toHaveLength(before);
  });

  it('names the bot it replaces', async () => {
    await installed();
    const other = w.chatwoot.addAgentBot({ name: 'Old Rasa bot' });
    w.chatwoot.inboxes.get(7)!.agentBotId = other.id;
    const res = await w.run(['enable', '7']);
    expect(res.stdout).toContain(`connected to "Hermes Assistant" (replacing the bot "Old Rasa bot", id ${other.id}).`);
  });

  it('reports an unknown inbox in a sentence, still connects the others, exits 1', async () => {
    const botId = await installed();
    const res = await w.run(['enable', '99', '7']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('✗ inbox 99: Account 1 has no inbox 99 (see: chatwoot-hermes-bot inboxes).');
    expect(w.chatwoot.inboxes.get(7)!.agentBotId).toBe(botId);
  });

  it('reminds that the bot is switched off in its own settings for that inbox', async () => {
    await installed();
    await w.run(['inbox-config', '7', 'enabled=false', '--create']);
    const res = await w.run(['enable', '7']);
    expect(res.stdout).toContain('The bot stays silent there: its settings say enabled=false. To answer: chatwoot-hermes-bot inbox-config 7 enabled=true');
  });

  it('needs the bot to be installed, and inbox ids', async () => {
    w = await startCliWorld();
    const res = await w.run(['enable', '7']);
    expect(res).toMatchObject({ code: 1 });
    expect(res.stderr).toContain('There is no bot "Hermes Assistant" in account 1 yet. Run: chatwoot-hermes-bot install');
    expect(await w.run(['enable'])).toMatchObject({ code: 2, stderr: expect.stringContaining('enable needs at least one inbox id') });
    expect(await w.run(['enable', 'seven'])).toMatchObject({ code: 2, stderr: expect.stringContaining('An inbox id must be a positive whole number (got "seven")') });
  });
});

describe('disable', () => {
  it('disconnects the bot (set_agent_bot null) and is idempotent', async () => {
    await installed();
    await w.run(['enable', '7']);
    const res = await w.run(['disable', '7']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('✓ inbox 7 (WhatsApp Vendas): disconnected from "Hermes Assistant".');
    expect(w.chatwoot.inboxes.get(7)!.agentBotId).toBeNull();
    expect(w.chatwoot.requests.filter((r) => r.path.endsWith('/set_agent_bot')).at(-1)!.body).toEqual({ agent_bot: null });
    const again = await w.run(['disable', '7']);
    expect(again.stdout).toContain('✓ inbox 7 (WhatsApp Vendas): no bot connected; nothing to do.');
  });

  it('leaves an inbox connected to another bot alone', async () => {
    await installed();
    const other = w.chatwoot.addAgentBot({ name: 'Old Rasa bot' });
    w.chatwoot.inboxes.get(8)!.agentBotId = other.id;
    const res = await w.run(['disable', '8']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`! inbox 8 (Site): connected to another bot, "Old Rasa bot" (id ${other.id}); left alone.`);
    expect(w.chatwoot.inboxes.get(8)!.agentBotId).toBe(other.id);
  });
});
