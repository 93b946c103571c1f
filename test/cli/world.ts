/**
 * A world for CLI tests: the fake Chatwoot (every request checked against the OpenAPI contract), a
 * fake Hermes, a temporary working directory with its own store, and `run` = the real CLI entry
 * (runCli) with that environment, its output captured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../helpers/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runCli } from '../../src/cli/main.js';
import { startFakeChatwoot, type FakeChatwoot, type FakeChatwootOptions } from '../fakes/fake-chatwoot.js';
import { startFakeHermes, type FakeHermes, type FakeHermesOptions } from '../fakes/fake-hermes.js';

export const ADMIN_TOKEN = 'admin-token';
export const HERMES_KEY = 'hermes-key';
/** A public address that needs no DNS (TEST-NET-3, documentation range): doctor treats it as public. */
export const PUBLIC_URL = 'https://203.0.113.10';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for "never printed" assertions. */
  all: string;
}

export interface CliWorld {
  chatwoot: FakeChatwoot;
  hermes: FakeHermes;
  /** Working directory of every run; DATA_DIR is <dir>/data. */
  dir: string;
  dataDir: string;
  /** The environment every run gets (tests may change it). */
  env: Record<string, string | undefined>;
  run(argv: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startCliWorld(opts: { chatwoot?: FakeChatwootOptions; hermes?: FakeHermesOptions; inboxes?: boolean } = {}): Promise<CliWorld> {
  const chatwoot = await startFakeChatwoot({ adminToken: ADMIN_TOKEN, ...opts.chatwoot });
  // A healthy world secures Hermes as the README says; Hermes' own default toolsets fail doctor.
  const hermes = await startFakeHermes({ apiKey: HERMES_KEY, platformToolsets: ['web', 'vision', 'todo'], ...opts.hermes });
  if (opts.inboxes !== false) {
    chatwoot.addInbox({ id: 7, name: 'WhatsApp Vendas', channel_type: 'Channel::Whatsapp' });
    chatwoot.addInbox({ id: 8, name: 'Site', channel_type: 'Channel::WebWidget' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'cwhb-cli-'));
  const dataDir = join(dir, 'data');
  const env: Record<string, string | undefined> = {
    CHATWOOT_URL: chatwoot.url,
    CHATWOOT_ADMIN_TOKEN: ADMIN_TOKEN,
    CHATWOOT_ACCOUNT_ID: '1',
    PUBLIC_URL,
    HERMES_URL: hermes.url,
    HERMES_API_KEY: HERMES_KEY,
    DATA_DIR: dataDir,
  };
  return {
    chatwoot,
    hermes,
    dir,
    dataDir,
    env,
    async run(argv, extra = {}) {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCli(argv, {
        env: { ...env, ...extra },
        cwd: dir,
        out: (t) => stdout.push(t),
        err: (t) => stderr.push(t),
        log: pino({ level: 'silent' }),
      });
      const out = stdout.join('\n');
      const err = stderr.join('\n');
      return { code, stdout: out, stderr: err, all: `${out}\n${err}` };
    },
    async close() {
      await Promise.all([chatwoot.close(), hermes.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** After `install`: the bot's credentials as the bot's environment would hold them. */
export function botEnv(world: CliWorld): { CHATWOOT_BOT_TOKEN: string; CHATWOOT_WEBHOOK_SECRET: string } {
  const bot = [...world.chatwoot.agentBots.values()].at(-1);
  if (!bot) throw new Error('no bot installed in the fake Chatwoot');
  return { CHATWOOT_BOT_TOKEN: bot.accessToken, CHATWOOT_WEBHOOK_SECRET: bot.secret };
}

/** A local port nothing listens on (connection refused). */
export const closedPort = freePort;

/** Requests the CLI made that change something in Chatwoot. */
export function writes(world: CliWorld): string[] {
  return world.chatwoot.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}
