import { afterEach, describe, expect, it } from 'vitest';
import { hashKey, parsePanelUrl } from '../../src/dashboard/key.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { botEnv, PUBLIC_URL, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

const appUrl = () => [...w.chatwoot.dashboardApps.values()].map((a) => a.content[0]!.url);
async function storedDigest(account = 1): Promise<string | null> {
  const store = SqliteStore.open(w.dataDir);
  try {
    return await store.getDashboardKeyHash(account);
  } finally {
    await store.close();
  }
}

describe('the bot panel: install, dashboard-key rotate, doctor', () => {
  it('install registers the panel at PUBLIC_URL/dashboard/ with a key whose digest only the store keeps, and never prints it', async () => {
    w = await startCliWorld();
    const res = await w.run(['install']);
    expect(res.code).toBe(0);
    const [url] = appUrl();
    const parsed = parsePanelUrl(url!)!;
    expect(parsed).toMatchObject({ base: PUBLIC_URL, accountId: 1 });
    expect(parsed.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await storedDigest()).toBe(hashKey(parsed.key));
    expect(res.all).not.toContain(parsed.key);
    expect(res.stdout).toContain(`Created the bot panel (Dashboard App) of account 1, with a new key.`);
    expect(res.stdout).toContain(`App URL: ${PUBLIC_URL}/dashboard/#account=1&key=…`);
    const post = w.chatwoot.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/accounts/1/dashboard_apps')!;
    expect(post.body).toEqual({ dashboard_app: { title: 'Bot', content: [{ url, type: 'frame' }] } });
  });

  it('install again changes nothing; a new PUBLIC_URL moves the panel and keeps its key and title', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    const [first] = appUrl();
    const again = await w.run(['install']);
    expect(again.stdout).toContain('The bot panel (Dashboard App) of account 1 is already installed; nothing changed.');
    expect(w.chatwoot.requests.filter((r) => r.path.includes('dashboard_apps') && r.method !== 'GET')).toHaveLength(1);
    [...w.chatwoot.dashboardApps.values()][0]!.title = 'Robô';
    const moved = await w.run(['install'], { PUBLIC_URL: 'https://bot.example.com' });
    expect(moved.stdout).toContain('Updated the bot panel (Dashboard App) of account 1.');
    const [second] = appUrl();
    expect(parsePanelUrl(second!)).toEqual({ ...parsePanelUrl(first!)!, base: 'https://bot.example.com' });
    expect([...w.chatwoot.dashboardApps.values()][0]!.title).toBe('Robô');
    expect(w.chatwoot.dashboardApps.size).toBe(1);
  });

  it('dashboard-key rotate gives the account a new key, in the store and in Chatwoot, and prints neither', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    const old = parsePanelUrl(appUrl()[0]!)!.key;
    const res = await w.run(['dashboard-key', 'rotate', '1']);
    expect(res.code).toBe(0);
    const fresh = parsePanelUrl(appUrl()[0]!)!.key;
    expect(fresh).not.toBe(old);
    expect(await storedDigest()).toBe(hashKey(fresh));
    expect(res.all).not.toContain(fresh);
    expect(res.all).not.toContain(old);
    expect(res.stdout).toContain('Updated the bot panel (Dashboard App) of account 1, with a new key.');
    expect((await w.run(['dashboard-key', 'spin', '1'])).code).toBe(2);
    expect((await w.run(['dashboard-key', 'rotate', 'x'])).code).toBe(2);
  });

  it('doctor warns when the panel points away from PUBLIC_URL or carries a key the store does not know', async () => {
    w = await startCliWorld();
    await w.run(['install']);
    Object.assign(w.env, botEnv(w));
    const app = [...w.chatwoot.dashboardApps.values()][0]!;
    const good = app.content[0]!.url;
    app.content[0]!.url = good.replace(PUBLIC_URL, 'https://old.example.com');
    expect((await w.run(['doctor'])).stdout).toContain(`! The bot panel "Bot" points at https://old.example.com/dashboard/, not at PUBLIC_URL ${PUBLIC_URL}`);
    app.content[0]!.url = good.replace(/key=[^&]+$/, `key=${'B'.repeat(43)}`);
    expect((await w.run(['doctor'])).stdout).toContain('! The bot panel "Bot" carries a key this store does not know');
    w.chatwoot.dashboardApps.clear();
    expect((await w.run(['doctor'])).stdout).toContain('! The bot panel is not installed in account 1');
  });
});
