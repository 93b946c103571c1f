import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/cli/manifest.js';
import { PUBLIC_URL, startCliWorld, writes, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

const manifest = loadManifest();

describe('install', () => {
  it('creates the bot from the manifest with PUBLIC_URL + webhook path and prints its token and secret once', async () => {
    w = await startCliWorld();
    const first = await w.run(['install']);
    expect(first.code).toBe(0);
    const bots = [...w.chatwoot.agentBots.values()];
    expect(bots).toHaveLength(1);
    const bot = bots[0]!;
    expect(bot).toMatchObject({ name: manifest.name, description: manifest.description, outgoingUrl: `${PUBLIC_URL}/chatwoot/webhook`, accountId: 1 });
    const post = w.chatwoot.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/accounts/1/agent_bots')!;
    expect(post.body).toEqual({ name: manifest.name, description: manifest.description, outgoing_url: `${PUBLIC_URL}/chatwoot/webhook`, avatar_url: manifest.avatarUrl });
    expect(post.headers['api-access-token']).toBe('admin-token');
    expect(first.stdout).toContain(`Created the bot "${manifest.name}" (id ${bot.id}) in account 1`);
    expect(first.stdout).toContain(`CHATWOOT_BOT_TOKEN=${bot.accessToken}`);
    expect(first.stdout).toContain(`CHATWOOT_WEBHOOK_SECRET=${bot.secret}`);
    expect(first.stdout).toContain('enable <inbox-id>');
  });

  it('is idempotent: a second run changes nothing and prints no secret', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    const before = writes(w);
    const bot = [...w.chatwoot.agentBots.values()][0]!;
    const snapshot = { ...bot };
    const second = await w.run(['install']);
    expect(second.code).toBe(0);
    expect(writes(w)).toEqual(before);
    expect(w.chatwoot.agentBots.size).toBe(1);
    expect({ ...[...w.chatwoot.agentBots.values()][0]! }).toEqual(snapshot);
    expect(second.stdout).toContain('is already installed in account 1; nothing changed');
    expect(second.all).not.toContain(bot.accessToken);
    expect(second.all).not.toContain(bot.secret);
  });

  it('updates only what differs (a new PUBLIC_URL) on the bot of the same name', async () => {
    w = await startCliWorld();
    w.chatwoot.addAgentBot({ name: manifest.name, description: manifest.description, outgoingUrl: 'https://old.example.com/chatwoot/webhook' });
    const res = await w.run(['install']);
    expect(res.code).toBe(0);
    const patch = w.chatwoot.requests.filter((r) => r.method === 'PATCH');
    expect(patch).toHaveLength(1);
    expect(patch[0]!.body).toEqual({ outgoing_url: `${PUBLIC_URL}/chatwoot/webhook` });
    expect(w.chatwoot.agentBots.size).toBe(1);
    expect(res.stdout).toContain(`outgoing_url: https://old.example.com/chatwoot/webhook → ${PUBLIC_URL}/chatwoot/webhook`);
    expect(res.stdout).not.toMatch(/CHATWOOT_BOT_TOKEN=/);
  });

  it('finds its bot by CHATWOOT_BOT_TOKEN after a rename in Chatwoot, and renames it back', async () => {
    w = await startCliWorld();
    const renamed = w.chatwoot.addAgentBot({ name: 'Renamed by someone', description: manifest.description, outgoingUrl: `${PUBLIC_URL}/chatwoot/webhook` });
    const res = await w.run(['install'], { CHATWOOT_BOT_TOKEN: renamed.accessToken });
    expect(res.code).toBe(0);
    expect(w.chatwoot.agentBots.size).toBe(1);
    expect(renamed.name).toBe(manifest.name);
  });

  it('--name installs a second deployment (e.g. staging) next to the first; two bots of one name is an error, not a guess', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    const staging = await w.run(['install', '--name', 'Hermes Staging', '--public-url', 'https://203.0.113.30']);
    expect(staging.code).toBe(0);
    expect([...w.chatwoot.agentBots.values()].map((b) => [b.name, b.outgoingUrl])).toEqual([
      [manifest.name, `${PUBLIC_URL}/chatwoot/webhook`],
      ['Hermes Staging', 'https://203.0.113.30/chatwoot/webhook'],
    ]);
    w.chatwoot.addAgentBot({ name: 'Hermes Staging' });
    const twice = await w.run(['install', '--name', 'Hermes Staging']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/Account 1 has 2 bots named "Hermes Staging" \(ids \d+, \d+\)/);
  });

  it('--write-env puts the credentials into .env (owner-only, other lines kept) and never on screen', async () => {
    w = await startCliWorld();
    const envFile = join(w.dir, '.env');
    writeFileSync(envFile, '# my settings\nHERMES_URL=http://127.0.0.1:8642\n# CHATWOOT_WEBHOOK_SECRET=\n');
    const res = await w.run(['install', '--write-env']);
    expect(res.code).toBe(0);
    const bot = [...w.chatwoot.agentBots.values()][0]!;
    expect(readFileSync(envFile, 'utf8')).toBe(
      `# my settings\nHERMES_URL=http://127.0.0.1:8642\nCHATWOOT_WEBHOOK_SECRET=${bot.secret}\nCHATWOOT_BOT_TOKEN=${bot.accessToken}\n`,
    );
    expect(res.stdout).toContain('Wrote CHATWOOT_BOT_TOKEN and CHATWOOT_WEBHOOK_SECRET into .env (not shown here)');
    expect(res.all).not.toContain(bot.accessToken);
    expect(res.all).not.toContain(bot.secret);

    const again = await w.run(['install', '--write-env']);
    expect(again.stdout).toContain('.env already holds');
  });

  it('--write-env on an existing bot writes a new file with mode 0600', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    const res = await w.run(['install', '--write-env', '--env-file', 'bot.env']);
    expect(res.code).toBe(0);
    const bot = [...w.chatwoot.agentBots.values()][0]!;
    const file = join(w.dir, 'bot.env');
    expect(readFileSync(file, 'utf8')).toBe(`CHATWOOT_BOT_TOKEN=${bot.accessToken}\nCHATWOOT_WEBHOOK_SECRET=${bot.secret}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('puts WEBHOOK_TOKEN (Chatwoot < 4.13) into the webhook URL and hides it on screen', async () => {
    w = await startCliWorld();
    const token = 'a-long-random-webhook-token';
    const res = await w.run(['install', '--public-url', 'https://203.0.113.20/'], { WEBHOOK_TOKEN: token });
    expect(res.code).toBe(0);
    expect([...w.chatwoot.agentBots.values()][0]!.outgoingUrl).toBe(`https://203.0.113.20/chatwoot/webhook?token=${token}`);
    expect(res.stdout).toContain('Webhook URL: https://203.0.113.20/chatwoot/webhook?token=…');
    expect(res.stdout.split(token).length).toBe(1);
  });

  it('says what is missing, all at once, before calling Chatwoot', async () => {
    w = await startCliWorld();
    const res = await w.run(['install'], { CHATWOOT_ADMIN_TOKEN: undefined, CHATWOOT_ACCOUNT_ID: undefined });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No administrator token: pass --token or set CHATWOOT_ADMIN_TOKEN');
    expect(res.stderr).toContain('No account: pass --account or set CHATWOOT_ACCOUNT_ID');
    expect(w.chatwoot.requests).toHaveLength(0);

    const noUrl = await w.run(['install'], { PUBLIC_URL: undefined });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('PUBLIC_URL is not set: pass --public-url');
  });

  it('turns Chatwoot 401/403/404 into sentences', async () => {
    w = await startCliWorld();
    const bad = await w.run(['install', '--token', 'nope']);
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toContain('This token is not a valid Chatwoot access token');

    const otherAccount = await w.run(['install', '--account', '2']);
    expect(otherAccount.stderr).toContain('This token has no access to account 2');

    const botToken = await w.run(['install', '--token', 'bot-token']);
    expect(botToken.stderr).toContain("This token is an agent bot's token");

    // An agent (not an administrator): Pundit refuses with 401 "You are not authorized to do this action".
    w.chatwoot.failNext({ method: 'GET', path: '/api/v1/accounts/1/agent_bots' }, [{ status: 401, body: { error: 'You are not authorized to do this action' } }]);
    const agent = await w.run(['install']);
    expect(agent.stderr).toContain('This token is not an administrator of account 1');
    w.chatwoot.failNext({ method: 'GET', path: '/api/v1/accounts/1/agent_bots' }, [{ status: 403, body: {} }]);
    expect((await w.run(['install'])).stderr).toContain('This token is not an administrator of account 1');

    w.chatwoot.failNext({ method: 'GET', path: '/api/v1/accounts/1/agent_bots' }, [{ status: 404, body: { error: 'Resource could not be found' } }]);
    expect((await w.run(['install'])).stderr).toContain('answered "not found": check CHATWOOT_URL');
    expect(w.chatwoot.agentBots.size).toBe(0);
  });
});
