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
import { createBot, type Bot } from '../../src/bot.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
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
  /**
   * Where PUBLIC_URL leads in this world (doctor's end-to-end probe): the bot started by startBot, or
   * a closed port (nothing runs there). Tests may point it at any local server, e.g. a proxy.
   */
  botUrl: string;
  /** Starts the real bot (createBot) with the world's environment plus `env`, on its own store; PUBLIC_URL leads to it. */
  startBot(env?: Record<string, string | undefined>): Promise<{ url: string; bot: Bot }>;
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
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const running: Bot[] = [];
  const env: Record<string, string | undefined> = {
    CHATWOOT_URL: chatwoot.url,
    CHATWOOT_ADMIN_TOKEN: ADMIN_TOKEN,
    CHATWOOT_ACCOUNT_ID: '1',
    PUBLIC_URL,
    HERMES_URL: hermes.url,
    HERMES_API_KEY: HERMES_KEY,
    DATA_DIR: dataDir,
  };
  const world: CliWorld = {
    chatwoot,
    hermes,
    dir,
    dataDir,
    env,
    botUrl: nowhere,
    async startBot(extra = {}) {
      const botDir = mkdtempSync(join(dir, 'running-bot-'));
      const config = loadConfig({ ...env, DATABASE_URL: undefined, ...extra, DATA_DIR: botDir, LOG_LEVEL: 'silent' });
      const bot = await createBot(config, pino({ level: 'silent' }));
      const server = await bot.listen(0, '127.0.0.1');
      running.push(bot);
      world.botUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      return { url: world.botUrl, bot };
    },
    async run(argv, extra = {}) {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCli(argv, {
        env: { ...env, ...extra },
        cwd: dir,
        out: (t) => stdout.push(t),
        err: (t) => stderr.push(t),
        log: pino({ level: 'silent' }),
        reach: () => world.botUrl,
      });
      const out = stdout.join('\n');
      const err = stderr.join('\n');
      return { code, stdout: out, stderr: err, all: `${out}\n${err}` };
    },
    async close() {
      await Promise.all(running.map((b) => b.stop(100)));
      await Promise.all([chatwoot.close(), hermes.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
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
