import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HermesClient } from '../../src/hermes/client.js';
import { assessToolsets, warnAboutToolsets } from '../../src/hermes/toolsets.js';
import { startFakeHermes, type FakeHermes, type FakeHermesOptions } from '../fakes/fake-hermes.js';

let h: FakeHermes | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function startWarning(opts: FakeHermesOptions): Promise<Array<Record<string, any>>> {
  h = await startFakeHermes({ apiKey: 'k', ...opts });
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  await warnAboutToolsets(new HermesClient({ baseUrl: h.url, apiKey: 'k' }), h.url, log);
  return lines;
}

describe('Hermes toolsets: what a customer can reach', () => {
  it("reads GET /v1/toolsets with the key; Hermes' defaults enable the host-touching toolsets", async () => {
    h = await startFakeHermes({ apiKey: 'k' });
    const toolsets = await new HermesClient({ baseUrl: h.url, apiKey: 'k' }).toolsets();
    const { risky, unknown } = assessToolsets(toolsets!);
    expect(risky.map((r) => r.name)).toEqual(['browser', 'terminal', 'file', 'code_execution', 'skills', 'memory', 'session_search', 'delegation', 'cronjob']);
    expect(unknown).toEqual([]);
    const req = h.requests.find((r) => r.path === '/v1/toolsets')!;
    expect(req.headers.authorization).toBe('Bearer k');
    await expect(new HermesClient({ baseUrl: h.url, apiKey: 'wrong' }).toolsets()).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('warns at start, naming each risky toolset and the config.yaml fix', async () => {
    const lines = await startWarning({});
    const warning = lines.find((l) => l.level === 40)!;
    expect(warning.msg).toContain('terminal (runs shell commands on the Hermes host)');
    expect(warning.msg).toContain('delegation (starts sub-agents with the same tools)');
    expect(warning.msg).toContain('platform_toolsets: {api_server: [web, vision, todo, no_mcp]}');
    expect(warning.toolsets).toContain('cronjob');
    expect(JSON.stringify(lines)).not.toContain('"k"');
  });

  it('says nothing at start for a safe profile, and asks for a manual check on a build without /v1/toolsets', async () => {
    expect((await startWarning({ platformToolsets: ['web', 'vision', 'todo'] })).filter((l) => l.level >= 40)).toEqual([]);
    await h!.close();
    const old = await startWarning({ toolsetsEndpoint: false });
    expect(old.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringContaining('has no GET /v1/toolsets')]);
  });

  it('an unknown (plugin) toolset is named, not judged', () => {
    expect(assessToolsets([{ name: 'web', enabled: true }, { name: 'acme_crm', enabled: true }, { name: 'terminal', enabled: false }])).toEqual({
      enabled: ['web', 'acme_crm'],
      risky: [],
      unknown: ['acme_crm'],
    });
  });
});
