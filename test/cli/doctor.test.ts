import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEMS } from '../../src/cli/doctor/report.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { FakeHermesOptions } from '../fakes/fake-hermes.js';
import { waitUntil } from '../helpers/wait.js';
import { botEnv, closedPort, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
let extra: Server | undefined;
afterEach(async () => {
  // Doctor's requests, like every command's, must be ones Chatwoot's OpenAPI contract allows.
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
  await new Promise((r) => (extra ? extra.close(r) : r(undefined)));
  extra = undefined;
});

/** Everything right: the bot installed, connected to inbox 7, the bot's environment complete. */
async function healthy(hermes: FakeHermesOptions = {}): Promise<CliWorld> {
  w = await startCliWorld({ hermes });
  expect((await w.run(['install'])).code).toBe(0);
  expect((await w.run(['enable', '7'])).code).toBe(0);
  Object.assign(w.env, botEnv(w));
  // The bot itself runs too, and PUBLIC_URL leads to it (doctor's end-to-end probe).
  await w.startBot();
  return w;
}

function lines(output: string, mark: string): string[] {
  return output.split('\n').filter((l) => l.startsWith(`${mark} `));
}

describe('doctor: all well', () => {
  it('prints one ✓ per check and exits 0', async () => {
    await healthy();
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('chatwoot-hermes-bot doctor — bot "Hermes Assistant", account 1');
    expect(lines(res.stdout, '✗')).toEqual([]);
    expect(lines(res.stdout, '✓').map((l) => l.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL').replace(/\/tmp\/[^)\s]+/, 'DIR'))).toEqual([
      '✓ Configuration valid (store: SQLite in DIR); stored texts are erased after 30 days (RETENTION_DAYS)',
      '✓ Chatwoot reachable at URL; CHATWOOT_BOT_TOKEN accepted in account 1',
      '✓ Chatwoot 4.15.1: the bot token may read conversations and labels',
      '✓ The bot "Hermes Assistant" (id 100) receives its webhooks at https://203.0.113.10/chatwoot/webhook',
      "✓ Signing secret set; it matches the bot's Webhook Secret",
      '✓ PUBLIC_URL https://203.0.113.10 is a public address',
      "✓ The bot runs behind https://203.0.113.10: /healthz answers, and it accepts a test event signed with Chatwoot's Webhook Secret (and ignores it)",
      '✓ The bot answers in 1 inbox: 7 (WhatsApp Vendas)',
      "✓ The bot panel \"Bot\" is at https://203.0.113.10/dashboard/#account=1&key=…, with this store's key",
      '✓ Hermes reachable at URL; key accepted; offers X-Hermes-Session-Id',
      expect.stringMatching(/^✓ Store writable: SQLite in /),
    ]);
    expect(res.stdout).toContain('All checks passed.');
    expect(res.code).toBe(0);
    // Read-only: doctor changed nothing in Chatwoot and ran no agent turn.
    expect(w.chatwoot.requests.filter((r) => r.method !== 'GET' && r.at >= w.chatwoot.requests.find((q) => q.path.endsWith('/labels'))!.at)).toEqual([]);
    expect(w.hermes.completions()).toEqual([]);
    expect(w.chatwoot.violations()).toEqual([]);
  });

  it('checks the bot token with a harmless read, with the bot token', async () => {
    await healthy();
    await w.run(['doctor']);
    const probe = w.chatwoot.requests.find((r) => r.path === '/api/v1/accounts/1/conversations/0/labels')!;
    expect(probe.method).toBe('GET');
    expect(probe.headers['api-access-token']).toBe(botEnv(w).CHATWOOT_BOT_TOKEN);
  });

  it("shows the retention setting the bot runs with (RETENTION_DAYS)", async () => {
    await healthy();
    const res = await w.run(['doctor'], { RETENTION_DAYS: '7' });
    expect(lines(res.stdout, '✓')[0]).toMatch(/^✓ Configuration valid \(store: SQLite in .+\); stored texts are erased after 7 days \(RETENTION_DAYS\)$/);
  });

  it('never prints a token, key or secret', async () => {
    await healthy();
    const res = await w.run(['doctor'], { CHATWOOT_WEBHOOK_SECRET: 'wrong-secret-value', HERMES_API_KEY: 'wrong-hermes-key' });
    for (const secret of [botEnv(w).CHATWOOT_BOT_TOKEN, botEnv(w).CHATWOOT_WEBHOOK_SECRET, 'wrong-secret-value', 'wrong-hermes-key', 'admin-token']) {
      expect(res.all).not.toContain(secret);
    }
  });
});

/** Each ✗ the doctor knows, provoked for real; the run exits 1 and prints the fix. */
describe('doctor: every ✗ has a cause that provokes it', () => {
  async function expectFailure(problem: { headline: string; fix: string }, env: Record<string, string | undefined> = {}, args: string[] = []) {
    const res = await w.run(['doctor', ...args], env);
    const failed = lines(res.stdout, '✗');
    expect(failed.some((l) => l.startsWith(`✗ ${problem.headline}`)), `${problem.headline} not in:\n${res.stdout}`).toBe(true);
    expect(res.stdout).toContain(`fix: ${problem.fix}`);
    expect(res.code).toBe(1);
    return res;
  }

  it('Configuration invalid: names each problem with what the setting is, and skips the rest', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.configInvalid, { HERMES_API_KEY: undefined, DEBOUNCE_MS: 'soon' });
    expect(res.stdout).toContain('HERMES_API_KEY is required: The Hermes API server key');
    expect(res.stdout).toContain('DEBOUNCE_MS must be a whole number');
    expect(res.stdout).toContain('– Chatwoot, Hermes and store checks skipped');
    expect(w.hermes.requests).toHaveLength(0);
  });

  it('No Chatwoot account id', async () => {
    await healthy();
    await expectFailure(PROBLEMS.accountMissing, { CHATWOOT_ACCOUNT_ID: undefined });
  });

  it('Chatwoot not reachable', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.chatwootUnreachable, { CHATWOOT_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(res.stdout).toContain('ECONNREFUSED');
    expect(res.stdout).toContain("– The bot's webhook URL, secret and inboxes in Chatwoot were not checked: Chatwoot is not reachable");
  });

  it('Chatwoot refuses CHATWOOT_BOT_TOKEN (unknown token, or a bot of another account)', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.botTokenRefused, { CHATWOOT_BOT_TOKEN: 'not-a-token' });
    expect(res.stdout).toContain('Chatwoot does not know this token');
    const other = w.chatwoot.addAgentBot({ name: 'Elsewhere', accountId: 2 });
    const res2 = await expectFailure(PROBLEMS.botTokenRefused, { CHATWOOT_BOT_TOKEN: other.accessToken });
    expect(res2.stdout).toContain('it belongs to a bot of another account, not account 1');
  });

  it('Chatwoot refuses the administrator token', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.adminRefused, {}, ['--token', 'not-an-admin']);
    expect(res.stdout).toContain('This token is not a valid Chatwoot access token');
    w.chatwoot.failNext({ method: 'GET', path: '/api/v1/accounts/1/agent_bots' }, [{ status: 401, body: { error: 'You are not authorized to do this action' } }]);
    const agent = await expectFailure(PROBLEMS.adminRefused);
    expect(agent.stdout).toContain('This token is not an administrator of account 1');
  });

  it('Bot not installed', async () => {
    w = await startCliWorld();
    await expectFailure(PROBLEMS.botMissing, { CHATWOOT_BOT_TOKEN: 'bot-token', CHATWOOT_WEBHOOK_SECRET: 'some-secret' });
  });

  it("CHATWOOT_BOT_TOKEN is not this bot's token (a valid token of another bot)", async () => {
    await healthy();
    const other = w.chatwoot.addAgentBot({ name: 'Another bot' });
    const res = await expectFailure(PROBLEMS.botTokenMismatch, { CHATWOOT_BOT_TOKEN: other.accessToken });
    expect(res.stdout).toContain('it belongs to the bot "Another bot" (id 101), not to the bot "Hermes Assistant" (id 100)');
    // The bot token Chatwoot's fake knows by default is valid but belongs to no bot of the list.
    const res2 = await expectFailure(PROBLEMS.botTokenMismatch, { CHATWOOT_BOT_TOKEN: 'bot-token' });
    expect(res2.stdout).toContain('the bot "Hermes Assistant" (id 100) has another access token');
  });

  it('Webhook URL mismatch (PUBLIC_URL moved, install not re-run)', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.webhookUrlMismatch, { PUBLIC_URL: 'https://203.0.113.99' });
    expect(res.stdout).toContain('sends webhooks to https://203.0.113.10/chatwoot/webhook, not to https://203.0.113.99/chatwoot/webhook');
  });

  it('PUBLIC_URL not set', async () => {
    await healthy();
    await expectFailure(PROBLEMS.publicUrlMissing, { PUBLIC_URL: undefined });
  });

  it('Signing secret not set (only WEBHOOK_TOKEN, although Chatwoot signs)', async () => {
    await healthy();
    await expectFailure(PROBLEMS.secretMissing, { CHATWOOT_WEBHOOK_SECRET: undefined, WEBHOOK_TOKEN: 'a-long-random-webhook-token' });
  });

  it("Signing secret differs from the bot's Webhook Secret", async () => {
    await healthy();
    await expectFailure(PROBLEMS.secretMismatch, { CHATWOOT_WEBHOOK_SECRET: 'an-old-secret' });
  });

  it('Hermes not reachable', async () => {
    await healthy();
    const res = await expectFailure(PROBLEMS.hermesUnreachable, { HERMES_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(res.stdout).toContain('ECONNREFUSED');
  });

  it('Hermes refuses the API key', async () => {
    await healthy();
    await expectFailure(PROBLEMS.hermesKeyRefused, { HERMES_API_KEY: 'wrong-key' });
  });

  it('HERMES_URL is not a Hermes API server', async () => {
    await healthy();
    extra = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((r) => extra!.listen(0, '127.0.0.1', r));
    const port = (extra.address() as { port: number }).port;
    await expectFailure(PROBLEMS.hermesNotApiServer, { HERMES_URL: `http://127.0.0.1:${port}` });
  });

  it('Hermes offers no session header', async () => {
    await healthy({ advertiseSessionHeader: false });
    await expectFailure(PROBLEMS.hermesNoSessionHeader);
  });

  it("an inbox's own Hermes profile is checked too", async () => {
    await healthy();
    await w.run(['inbox-config', '7', `hermesUrl=http://127.0.0.1:${await closedPort()}`, 'hermesApiKey=inbox-key', '--create']);
    const res = await expectFailure(PROBLEMS.hermesUnreachable);
    expect(res.stdout).toMatch(/✗ Hermes not reachable: Hermes of inbox 7 at http:\/\/127\.0\.0\.1:\d+/);
    expect(res.stdout).toMatch(/✓ Hermes reachable at/);
    expect(res.all).not.toContain('inbox-key');
  });

  it('Store not writable', async () => {
    await healthy();
    const file = join(w.dir, 'not-a-directory');
    writeFileSync(file, 'x');
    await expectFailure(PROBLEMS.storeUnwritable, { DATA_DIR: file });
  });
});

describe('doctor: warnings (!) do not fail', () => {
  it('warns when PUBLIC_URL is private (Chatwoot 4.14+ SSRF guard)', async () => {
    await healthy();
    await w.run(['install', '--public-url', 'http://127.0.0.1:3000']);
    const res = await w.run(['doctor'], { PUBLIC_URL: 'http://127.0.0.1:3000' });
    expect(res.stdout).toContain('! PUBLIC_URL http://127.0.0.1:3000 is private: 127.0.0.1 is a private or local address');
    expect(res.stdout).toContain('SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true');
    expect(res.code).toBe(0);
  });

  it('warns about a strict Hermes build when conversations use server-issued session ids', async () => {
    await healthy();
    const store = SqliteStore.open(w.dataDir);
    await store.saveSession({ accountId: 1, conversationId: 1042 }, { sessionId: 'api-0123456789abcdef', mode: 'server', generation: 0 }, Date.now());
    await store.close();
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain("! 1 conversation uses a session id issued by Hermes: this Hermes is a strict build that refuses the bot's own ids");
    expect(res.code).toBe(0);
  });

  it('warns when Hermes is too old to have /v1/capabilities', async () => {
    await healthy({ capabilitiesEndpoint: false });
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('has no /v1/capabilities (an older build): session support is unconfirmed');
    expect(res.code).toBe(0);
  });

  it('warns when the bot is connected to no inbox, or switched off in all of them', async () => {
    await healthy();
    await w.run(['inbox-config', '7', 'enabled=false', '--create']);
    expect((await w.run(['doctor'])).stdout).toContain('! The bot is connected to 7 (WhatsApp Vendas) [switched off], but its settings switch it off in all of them');
    await w.run(['disable', '7']);
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('! The bot "Hermes Assistant" is not connected to any inbox yet');
    expect(res.code).toBe(0);
  });

  it('without an administrator token it says what it could not check', async () => {
    await healthy();
    const res = await w.run(['doctor'], { CHATWOOT_ADMIN_TOKEN: undefined });
    expect(res.stdout).toContain("! The bot's webhook URL, secret and inboxes in Chatwoot were not checked: no administrator token");
    expect(res.stdout).toContain("✓ Signing secret set (not compared with Chatwoot's: that needs an administrator token)");
    expect(res.code).toBe(0);
  });
});

describe('doctor: the tools Hermes gives customers (GET /v1/toolsets)', () => {
  it("fails on Hermes' default toolsets, naming each risky one and the config.yaml fix", async () => {
    // No platform_toolsets.api_server in config.yaml: Hermes' own defaults.
    await healthy({ platformToolsets: undefined });
    // The running bot asks once at start (its own warning); count only doctor's requests.
    const toolsetStatuses = () => w.hermes.requests.filter((r) => r.path === '/v1/toolsets').map((r) => r.status);
    await waitUntil(() => toolsetStatuses().length === 1);
    const res = await w.run(['doctor']);
    expect(res.code).toBe(1);
    const [line] = lines(res.stdout, '✗');
    expect(line).toMatch(/^✗ Hermes offers customers risky tools: Hermes at http:\/\/127\.0\.0\.1:\d+ enables /);
    for (const name of ['terminal', 'file', 'code_execution', 'delegation', 'cronjob', 'session_search']) expect(line).toContain(`${name} (`);
    expect(line).not.toContain('web (');
    expect(res.stdout).toContain(`fix: ${PROBLEMS.hermesRiskyTools.fix}`);
    expect(PROBLEMS.hermesRiskyTools.fix).toContain('platform_toolsets: {api_server: [web, vision, todo, no_mcp]}');
    expect(toolsetStatuses()).toEqual([200, 200]);
  });

  it('fails when a single host toolset is left in a custom list', async () => {
    await healthy({ platformToolsets: ['web', 'terminal'] });
    const res = await w.run(['doctor']);
    expect(lines(res.stdout, '✗')).toEqual([expect.stringMatching(/enables terminal \(runs shell commands on the Hermes host\)$/)]);
  });

  it('a safe profile passes and lists what customers can use', async () => {
    await healthy();
    const res = await w.run(['doctor']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/✓ Hermes reachable at \S+; key accepted; offers X-Hermes-Session-Id\n {4}tools for customers: web, vision, todo\n/);
  });

  it("checks an inbox's own Hermes profile too", async () => {
    await healthy();
    const other = await (await import('../fakes/fake-hermes.js')).startFakeHermes({ apiKey: 'inbox-key', platformToolsets: ['web', 'code_execution'] });
    try {
      await w.run(['inbox-config', '7', `hermesUrl=${other.url}`, 'hermesApiKey=inbox-key', '--create']);
      const res = await w.run(['doctor']);
      expect(lines(res.stdout, '✗')).toEqual([expect.stringMatching(/^✗ Hermes offers customers risky tools: Hermes of inbox 7 at \S+ enables code_execution \(runs code on the Hermes host\)$/)]);
      expect(res.all).not.toContain('inbox-key');
    } finally {
      await other.close();
    }
  });

  it('warns (does not fail) when Hermes has no /v1/toolsets, or offers a toolset it does not know', async () => {
    await healthy({ toolsetsEndpoint: false });
    let res = await w.run(['doctor']);
    expect(res.code).toBe(0);
    expect(lines(res.stdout, '!')).toEqual([expect.stringMatching(/has no GET \/v1\/toolsets: the tools it gives customers are unknown$/)]);
    await w.close();
    await healthy({ platformToolsets: ['web', 'acme_crm'] });
    res = await w.run(['doctor']);
    expect(res.code).toBe(0);
    expect(lines(res.stdout, '!')).toEqual([expect.stringMatching(/offers customers toolsets this bot does not know: acme_crm$/)]);
  });
});
