/** Starting the bot under test: its own process, configured only by environment, on a fresh store. */
import { BOT_TOKEN, HERMES_KEY, SECRET } from './fakes.js';
import { appArgs, launch, type AppEntry, type ServerProcess } from './processes.js';
import type { StoreLease, StoreSpec } from './stores.js';

export interface BotOptions {
  store: StoreSpec;
  entry: AppEntry;
  port: number;
  chatwootUrl: string;
  hermesUrl: string;
  logLevel: string;
  /** Another checkout whose app to run (before/after comparisons); default this one. */
  appRoot?: string;
  /** DEBOUNCE_MS, MAX_CONCURRENT_TURNS, … */
  env?: Record<string, string>;
}

export interface RunningBot {
  proc: ServerProcess;
  /** CPU ms and RSS right after it became ready. */
  startCpuMs: number;
  stop(): Promise<void>;
}

export async function startBot(o: BotOptions): Promise<RunningBot> {
  const lease: StoreLease = await o.store.lease();
  let proc: ServerProcess;
  try {
    proc = await launch({
      name: `bot (${o.store.name})`,
      args: appArgs(o.entry, o.appRoot),
      cwd: lease.dir,
      port: o.port,
      readyPath: '/readyz',
      env: {
        NODE_ENV: 'production',
        PORT: String(o.port),
        CHATWOOT_URL: o.chatwootUrl,
        CHATWOOT_BOT_TOKEN: BOT_TOKEN,
        CHATWOOT_WEBHOOK_SECRET: SECRET,
        HERMES_URL: o.hermesUrl,
        HERMES_API_KEY: HERMES_KEY,
        LOG_LEVEL: o.logLevel,
        ...lease.env,
        ...o.env,
      },
    });
  } catch (error) {
    await lease.release();
    throw error;
  }
  return {
    proc,
    startCpuMs: proc.cpuMs(),
    async stop() {
      await proc.stop();
      await lease.release();
    },
  };
}
