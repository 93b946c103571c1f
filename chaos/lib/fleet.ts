/**
 * The bot under test: real processes (`src/main.ts` through tsx, so a kill -9 is a real one), all on
 * one store lease: one instance on SQLite, several on Postgres (the store is shared, as in a
 * multi-dyno deployment). Every byte each instance prints is kept (the secrets check reads it all),
 * and instances can be killed with SIGKILL and started again on the same store.
 */
import { appArgs, freePort, launch, type ServerProcess } from '../../bench/lib/processes.js';
import { BOT_TOKEN, HERMES_KEY, SECRET } from '../../bench/lib/fakes.js';
import type { StoreLease } from '../../bench/lib/stores.js';
import type { Backend } from './router.js';

export interface FleetOptions {
  lease: StoreLease;
  instances: number;
  chatwootUrl: string;
  hermesUrl: string;
  /** DEBOUNCE_MS, MAX_CONCURRENT_TURNS, DATABASE_URL (through a proxy), … on top of the lease's. */
  env: Record<string, string>;
}

export class Instance implements Backend {
  proc: ServerProcess | null = null;
  starts = 0;
  constructor(readonly port: number) {}
  up(): boolean {
    return this.proc?.running ?? false;
  }
}

export class Fleet {
  readonly instances: Instance[];
  /** Everything the instances printed, in arrival order. */
  private readonly output: string[] = [];
  kills = 0;

  private constructor(
    private readonly opts: FleetOptions,
    ports: number[],
  ) {
    this.instances = ports.map((p) => new Instance(p));
  }

  static async create(opts: FleetOptions): Promise<Fleet> {
    const ports: number[] = [];
    for (let i = 0; i < opts.instances; i++) ports.push(await freePort());
    return new Fleet(opts, ports);
  }

  async startAll(): Promise<void> {
    // One after the other: the first migrates the store (the others wait on its advisory lock anyway).
    for (const instance of this.instances) await this.start(instance);
  }

  async start(instance: Instance): Promise<void> {
    const proc = await launch({
      name: `bot :${instance.port}`,
      args: appArgs('source'),
      cwd: this.opts.lease.dir,
      port: instance.port,
      readyPath: '/readyz',
      timeoutMs: 60_000,
      env: {
        NODE_ENV: 'production',
        PORT: String(instance.port),
        CHATWOOT_URL: this.opts.chatwootUrl,
        CHATWOOT_BOT_TOKEN: BOT_TOKEN,
        CHATWOOT_WEBHOOK_SECRET: SECRET,
        HERMES_URL: this.opts.hermesUrl,
        HERMES_API_KEY: HERMES_KEY,
        LOG_LEVEL: 'info',
        ...this.opts.lease.env,
        ...this.opts.env,
      },
      onOutput: (text) => this.output.push(text),
    });
    instance.proc = proc;
    instance.starts++;
  }

  /** SIGKILL: no drain, no cleanup, whatever was in flight. */
  async kill9(instance: Instance): Promise<void> {
    const proc = instance.proc;
    if (!proc?.running) return;
    this.killedOnPurpose.add(proc);
    proc.child.kill('SIGKILL');
    await proc.exited;
    this.kills++;
  }

  /** Instances that exited by themselves (a crash), with their last output. */
  crashed(): Array<{ port: number; output: string }> {
    return this.instances.filter((i) => i.proc && !i.proc.running && !this.killedOnPurpose.has(i.proc)).map((i) => ({ port: i.port, output: i.proc!.output() }));
  }

  private readonly killedOnPurpose = new WeakSet<ServerProcess>();

  /** kill -9 then start again on the same store. */
  async restart(instance: Instance): Promise<void> {
    await this.kill9(instance);
    await this.start(instance);
  }

  logs(): string {
    return this.output.join('');
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.instances.map(async (i) => {
        if (i.proc?.running) {
          this.killedOnPurpose.add(i.proc);
          await i.proc.stop(10_000);
        }
      }),
    );
  }
}

export const SECRETS = [SECRET, BOT_TOKEN, HERMES_KEY];
