/**
 * doctor on each Chatwoot release: before 4.14.2 a valid bot token gets 401 "not authorized for bots"
 * on labels (access_token_auth_helper.rb); that is a version limit (!), never "token refused" (✗).
 * The version comes from GET /api (api_controller.rb#index). Also: hand-off teams that do not exist.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEMS } from '../../src/cli/doctor/report.js';
import type { FakeChatwootOptions } from '../fakes/fake-chatwoot.js';
import { botEnv, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

async function healthy(chatwoot: FakeChatwootOptions): Promise<CliWorld> {
  w = await startCliWorld({ chatwoot });
  expect((await w.run(['install'])).code).toBe(0);
  expect((await w.run(['enable', '7'])).code).toBe(0);
  Object.assign(w.env, botEnv(w));
  await w.startBot();
  return w;
}

const marked = (out: string, mark: string) => out.split('\n').filter((l) => l.startsWith(`${mark} `));
const probes = () => w.chatwoot.requests.filter((r) => r.path.startsWith('/api/v1/accounts/1/conversations/0')).map((r) => `${r.method} ${r.path.slice(34)} → ${r.status}`);

describe('doctor: Chatwoot before 4.14.2', () => {
  it.each([
    ['4.13', '4.13.0'],
    ['4.14.0', '4.14.0'],
    ['4.14.1', '4.14.1'],
  ] as const)('%s: the token is accepted, the version limit is a warning with what still works, exit 0', async (version, full) => {
    await healthy({ version });
    const res = await w.run(['doctor']);
    expect(marked(res.stdout, '✗')).toEqual([]);
    expect(res.stdout).toMatch(/✓ Chatwoot reachable at http:\/\/127\.0\.0\.1:\d+; CHATWOOT_BOT_TOKEN accepted in account 1/);
    expect(res.stdout).toContain(`! Chatwoot ${full} lets bots neither read a conversation nor read or write its labels (before 4.14.2)`);
    expect(res.stdout).toContain('fix: Upgrade Chatwoot to 4.14.2 or later. Until then the bot works with less: hand-offs open the conversation without the hand-off label');
    expect(res.stdout).not.toContain(PROBLEMS.botTokenRefused.headline);
    expect(res.code).toBe(0);
    // Labels refused to bots, then the account checked with an endpoint bots have on every version; nothing exists at 0.
    expect(probes()).toEqual(['GET /labels → 401', 'POST /toggle_typing_status → 404']);
  });

  it('still tells a wrong token from a version limit', async () => {
    await healthy({ version: '4.13' });
    const unknown = await w.run(['doctor'], { CHATWOOT_BOT_TOKEN: 'not-a-token' });
    expect(unknown.stdout).toContain(`✗ ${PROBLEMS.botTokenRefused.headline}: Chatwoot does not know this token`);
    expect(unknown.stdout).not.toContain('lets bots neither');
    const other = w.chatwoot.addAgentBot({ name: 'Elsewhere', accountId: 2 });
    const res = await w.run(['doctor'], { CHATWOOT_BOT_TOKEN: other.accessToken });
    expect(res.stdout).toContain(`✗ ${PROBLEMS.botTokenRefused.headline}: it belongs to a bot of another account, not account 1`);
  });
});

describe('doctor: Chatwoot 4.14.2 and later', () => {
  it.each(['4.14.2', '4.15.1'] as const)('%s: one harmless read, no warning about rights', async (version) => {
    await healthy({ version });
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain(`✓ Chatwoot ${version}: the bot token may read conversations and labels`);
    expect(marked(res.stdout, '!')).toEqual([]);
    expect(probes()).toEqual(['GET /labels → 404']);
  });

  it('warns when Chatwoot reports its job queue failing (it delivers webhooks from it)', async () => {
    await healthy({ health: { queueServices: 'failing', dataServices: 'ok' } });
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('! Chatwoot reports its job queue (Redis) failing (GET /api)');
    expect(res.code).toBe(0);
  });

  it('names no version when /api does not answer like Chatwoot', async () => {
    await healthy({ version: '4.13' });
    w.chatwoot.failNext({ method: 'GET', path: '/api' }, [{ status: 404, body: '<h1>Not Found</h1>' }]);
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('! This Chatwoot (its version is not published at /api) lets bots neither read a conversation');
  });
});

describe('doctor: hand-off teams', () => {
  it('Hand-off team does not exist: Chatwoot would answer 200 null and clear the team', async () => {
    await healthy({ teams: [{ id: 1, name: 'Suporte' }] });
    await w.run(['inbox-config', '7', 'handoffTeamId=3', '--create']);
    const res = await w.run(['doctor']);
    expect(marked(res.stdout, '✗')).toEqual([`✗ ${PROBLEMS.teamUnknown.headline}: inbox 7 hands off to team 3`]);
    expect(res.stdout).toContain('    teams of account 1: 1 (Suporte)');
    expect(res.stdout).toContain(`fix: ${PROBLEMS.teamUnknown.fix}`);
    expect(res.code).toBe(1);
  });

  it('an existing team passes; a switched-off inbox is not checked', async () => {
    await healthy({ teams: [{ id: 3, name: 'Vendas' }] });
    await w.run(['inbox-config', '7', 'handoffTeamId=3', '--create']);
    await w.run(['inbox-config', '8', 'handoffTeamId=99', 'enabled=false']);
    const res = await w.run(['doctor']);
    expect(res.stdout).toContain('✓ Hand-off teams exist: inbox 7 → 3 (Vendas)');
    expect(res.code).toBe(0);
  });
});
