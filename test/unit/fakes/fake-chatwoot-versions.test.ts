/**
 * The fake's version knob: a bot token's rights per Chatwoot release, as access_token_auth_helper.rb
 * has them at v4.13.0, v4.14.0, v4.14.1 (no show, no labels) and v4.14.2, v4.15.1 (PR #14655: both);
 * GET /api answering the version as api_controller.rb#index does; the teams listing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_ACCESSIBLE_ENDPOINTS, CHATWOOT_VERSIONS } from '../../fakes/chatwoot/auth.js';
import { routes } from '../../fakes/chatwoot/routes.js';
import { startFakeChatwoot, type FakeChatwoot, type FakeChatwootOptions } from '../../fakes/fake-chatwoot.js';

const conv = '/api/v1/accounts/1/conversations/1042';
const NOT_FOR_BOTS = { error: 'Access to this endpoint is not authorized for bots' };
let fake: FakeChatwoot | undefined;
afterEach(async () => {
  expect(fake?.violations() ?? []).toEqual([]);
  await fake?.close();
  fake = undefined;
});

async function start(opts: FakeChatwootOptions): Promise<FakeChatwoot> {
  fake = await startFakeChatwoot(opts);
  return fake;
}

async function call(f: FakeChatwoot, method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.api_access_token = token;
  const res = await fetch(f.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

/** What a bot token gets from each endpoint the service uses. */
async function botRights(f: FakeChatwoot): Promise<Record<string, number>> {
  const probes: Array<[string, string, unknown?]> = [
    ['GET', conv],
    ['GET', `${conv}/labels`],
    ['POST', `${conv}/labels`, { labels: ['x'] }],
    ['POST', `${conv}/messages`, { content: 'oi', message_type: 'outgoing', private: true }],
    ['POST', `${conv}/toggle_typing_status`, { typing_status: 'off' }],
    ['POST', `${conv}/assignments`, { team_id: 3 }],
    ['POST', `${conv}/toggle_status`, { status: 'open' }],
  ];
  const out: Record<string, number> = {};
  for (const [method, path, body] of probes) out[`${method} ${path.replace(conv, '…')}`] = (await call(f, method, path, 'bot-token', body)).status;
  return out;
}

describe('fake Chatwoot: the bot token per version', () => {
  it.each(['4.13', '4.14.0', '4.14.1'] as const)('%s: no GET conversation, no labels (401 not authorized for bots); everything else works', async (version) => {
    const f = await start({ version });
    expect(await botRights(f)).toEqual({
      'GET …': 401,
      'GET …/labels': 401,
      'POST …/labels': 401,
      'POST …/messages': 200,
      'POST …/toggle_typing_status': 200,
      'POST …/assignments': 200,
      'POST …/toggle_status': 200,
    });
    expect((await call(f, 'GET', `${conv}/labels`, 'bot-token')).json).toEqual(NOT_FOR_BOTS);
    expect(f.conversation(1, 1042).labels).toEqual([]);
    // The administrator is not limited by BOT_ACCESSIBLE_ENDPOINTS.
    expect((await call(f, 'GET', `${conv}/labels`, 'admin-token')).status).toBe(200);
    expect((await call(f, 'GET', conv, 'admin-token')).status).toBe(200);
  });

  it.each(['4.14.2', '4.15.1'] as const)('%s: the bot reads the conversation and reads and writes labels (PR #14655)', async (version) => {
    const f = await start({ version });
    expect(Object.values(await botRights(f)).every((s) => s === 200)).toBe(true);
    expect(f.conversation(1, 1042).labels).toEqual(['x']);
  });

  it('the bot-token check comes before the account check, as Api::BaseController orders its before_actions', async () => {
    const f = await start({ version: '4.13' });
    // Another account: a 4.15 bot hears "not authorized to access this account"; on 4.13 labels are refused first.
    expect((await call(f, 'GET', '/api/v1/accounts/2/conversations/5/labels', 'bot-token')).json).toEqual(NOT_FOR_BOTS);
    expect((await call(f, 'POST', '/api/v1/accounts/2/conversations/5/toggle_typing_status', 'bot-token', { typing_status: 'off' })).json).toEqual({
      error: 'Bot is not authorized to access this account',
    });
  });

  it('showAllowed still overrides GET conversation only (the older option)', async () => {
    const f = await start({ version: '4.15.1', showAllowed: false });
    expect((await call(f, 'GET', conv, 'bot-token')).json).toEqual(NOT_FOR_BOTS);
    expect((await call(f, 'GET', `${conv}/labels`, 'bot-token')).status).toBe(200);
  });

  it('every route a bot may use names an endpoint of the 4.15.1 table, and the older table is a subset of it', () => {
    for (const route of routes) {
      if (route.bot === false) continue;
      const [controller, action] = route.bot.split('#') as [string, string];
      expect(BOT_ACCESSIBLE_ENDPOINTS['4.15.1'][controller], route.bot).toContain(action);
    }
    for (const [controller, actions] of Object.entries(BOT_ACCESSIBLE_ENDPOINTS['4.13.0'])) {
      for (const action of actions) expect(BOT_ACCESSIBLE_ENDPOINTS['4.15.1'][controller]).toContain(action);
    }
  });

  it('conversation 0 never exists (display ids start at 1): 404 once auth, bot rights and account passed', async () => {
    const f = await start({ version: '4.15.1' });
    expect(await call(f, 'GET', '/api/v1/accounts/1/conversations/0/labels', 'bot-token')).toEqual({ status: 404, json: { error: 'Resource could not be found' } });
    expect((await call(f, 'GET', '/api/v1/accounts/1/conversations/0/labels', 'wrong')).status).toBe(401);
  });

  it('refuses a version it cannot play', async () => {
    await expect(startFakeChatwoot({ version: '4.12.0' as never })).rejects.toThrow(/cannot play Chatwoot 4\.12\.0/);
  });
});

describe('fake Chatwoot: GET /api and teams', () => {
  it.each(CHATWOOT_VERSIONS)('GET /api answers %s without a token, like api_controller.rb#index', async (version) => {
    const f = await start({ version });
    const res = await call(f, 'GET', '/api', null);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ version, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), queue_services: 'ok', data_services: 'ok' });
  });

  it('GET /api reports failing services when told to', async () => {
    const f = await start({ health: { queueServices: 'failing', dataServices: 'ok' } });
    expect((await call(f, 'GET', '/api', null)).json).toMatchObject({ queue_services: 'failing', data_services: 'ok' });
  });

  it('lists the account\'s teams to a user, refuses a bot token', async () => {
    const f = await start({ teams: [{ id: 3, name: 'Vendas' }, { id: 9, name: 'Elsewhere', accountId: 2 }] });
    f.addTeam({ id: 1, name: 'Suporte' });
    const res = await call(f, 'GET', '/api/v1/accounts/1/teams', 'admin-token');
    expect(res).toEqual({
      status: 200,
      json: [
        { id: 1, name: 'Suporte', description: '', allow_auto_assign: true, account_id: 1, is_member: false },
        { id: 3, name: 'Vendas', description: '', allow_auto_assign: true, account_id: 1, is_member: false },
      ],
    });
    expect(await call(f, 'GET', '/api/v1/accounts/1/teams', 'bot-token')).toEqual({ status: 401, json: NOT_FOR_BOTS });
  });
});
