import { afterEach, describe, expect, it } from 'vitest';
import { botEnv, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await w.close();
});

describe('the CLI behind a default nginx (headers with underscores dropped)', () => {
  it('installs, connects and passes doctor: every token travels as api-access-token', async () => {
    w = await startCliWorld({ chatwoot: { dropUnderscoreHeaders: true } });
    expect((await w.run(['install'])).code).toBe(0);
    expect((await w.run(['enable', '7'])).code).toBe(0);
    Object.assign(w.env, botEnv(w));
    const doctor = await w.run(['doctor']);
    expect(doctor.stdout).toContain('✓ Chatwoot reachable at');
    expect(doctor.stdout).toContain('CHATWOOT_BOT_TOKEN accepted in account 1');
    expect(doctor.stdout).not.toContain('refuses');
    // What reached "Chatwoot": no request lost its token on the way, and none was refused.
    expect(w.chatwoot.requests.length).toBeGreaterThan(3);
    // GET /api (the version) is public: doctor sends no token there.
    for (const r of w.chatwoot.requests.filter((x) => x.path !== '/api')) {
      expect(r.headers['api-access-token'], `${r.method} ${r.path}`).toBeTruthy();
      expect(r.status, `${r.method} ${r.path}`).not.toBe(401);
    }
  });
});
