import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChatwoot, type FakeChatwoot } from '../../fakes/fake-chatwoot.js';
import { createContractValidator } from '../../helpers/openapi.js';

const apps = '/api/v1/accounts/1/dashboard_apps';
const v = createContractValidator();

async function call(fake: FakeChatwoot, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(fake.url + path, {
    method,
    headers: { 'content-type': 'application/json', 'api-access-token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

describe('fake Chatwoot: Dashboard Apps (v4.15.1 dashboard_apps_controller)', () => {
  let fake: FakeChatwoot;
  beforeEach(async () => {
    fake = await startFakeChatwoot();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('creates, lists, shows, updates and deletes an app as the jbuilder views answer', async () => {
    const content = [{ url: 'https://bot.example.com/dashboard/#account=1&key=k', type: 'frame' }];
    const created = await call(fake, 'POST', apps, 'admin-token', { dashboard_app: { title: 'Bot', content } });
    expect(created).toMatchObject({ status: 200, json: { id: 1, title: 'Bot', content } });
    expect(Object.keys(created.json).sort()).toEqual(['content', 'created_at', 'id', 'title']);
    expect((await call(fake, 'GET', apps, 'admin-token')).json).toEqual([created.json]);
    const updated = await call(fake, 'PATCH', `${apps}/1`, 'admin-token', { dashboard_app: { content: [{ url: 'https://other.example/x', type: 'frame' }] } });
    expect(updated.json).toMatchObject({ id: 1, title: 'Bot', content: [{ url: 'https://other.example/x', type: 'frame' }] });
    expect((await call(fake, 'GET', `${apps}/1`, 'admin-token')).json).toEqual(updated.json);
    expect((await call(fake, 'DELETE', `${apps}/1`, 'admin-token')).status).toBe(204);
    expect((await call(fake, 'GET', `${apps}/1`, 'admin-token')).status).toBe(404);
    expect(fake.violations()).toEqual([]);
  });

  it('refuses invalid content (422 RecordInvalid), a missing dashboard_app (422) and a bot token (401)', async () => {
    expect(await call(fake, 'POST', apps, 'admin-token', { dashboard_app: { title: 'Bot', content: [{ url: 'javascript:alert(1)', type: 'frame' }] } })).toEqual({
      status: 422,
      json: { message: 'Content : Invalid data', attributes: ['content'] },
    });
    expect((await call(fake, 'POST', apps, 'admin-token', { dashboard_app: { title: 'Bot', content: [] } })).status).toBe(422);
    expect((await call(fake, 'POST', apps, 'admin-token', {})).json).toEqual({ error: 'param is missing or the value is empty: dashboard_app' });
    expect((await call(fake, 'GET', apps, 'bot-token')).status).toBe(401);
  });

  it('checks bodies against the permitted params, since the spec has no dashboard_apps paths', () => {
    const ok = { dashboard_app: { title: 'Bot', content: [{ url: 'https://x.example/', type: 'frame' }] } };
    expect(v.validateRequest('POST', apps, ok)).toEqual([]);
    expect(v.validateRequest('PATCH', `${apps}/3`, ok)).toEqual([]);
    expect(v.validateRequest('POST', apps, { title: 'Bot' }).join('\n')).toMatch(/must have required property 'dashboard_app'/);
    expect(v.validateRequest('POST', apps, { dashboard_app: { title: 'Bot', user_id: 3 } }).join('\n')).toMatch(/unexpected property 'user_id'/);
    expect(v.validateRequest('POST', apps, { dashboard_app: { content: [{ url: 'https://x.example/' }] } }).join('\n')).toMatch(/required property 'type'/);
    // Other paths the spec lacks stay violations.
    expect(v.validateRequest('POST', '/api/v1/accounts/1/dashboard_things', {})).toEqual([expect.stringMatching(/^unknown path/)]);
  });

  it('serves the conversation screen framing the apps, with the signed-in agent, outside the recorded API calls', async () => {
    fake.addDashboardApp({ title: 'Bot', content: [{ url: 'http://127.0.0.1:1/dashboard/#account=1&key=k', type: 'frame' }] });
    fake.signIn({ id: 9, name: 'Ana', email: 'ana@acme.example' });
    const html = await (await fetch(`${fake.url}/app/accounts/1/conversations/42`)).text();
    expect(html).toContain('src="http://127.0.0.1:1/dashboard/#account=1&amp;key=k"');
    expect(html).toContain('chatwoot-dashboard-app:fetch-info');
    expect(html).toContain('\\"currentAgent\\":{\\"id\\":9');
    expect(fake.requests).toEqual([]);
  });
});
