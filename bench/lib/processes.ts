/**
 * The measured servers run as their own processes, as in production: the bot (`node dist/src/main.js`,
 * configured by environment, like the Procfile) and the bare Koa baseline. Their output is drained
 * into a small ring buffer (an undrained pipe would stall them) and shown only when something fails.
 * Memory and CPU come from /proc/<pid>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../test/helpers/net.js';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

export interface Memory {
  /** VmRSS now, MiB. */
  rssMb: number;
  /** VmHWM: the peak RSS since the process started, MiB. */
  peakMb: number;
}

export class ServerProcess {
  private readonly tail: string[] = [];
  private tailSize = 0;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.keep(chunk.toString('utf8')));
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** The last few KiB the process printed (stdout and stderr interleaved). */
  output(): string {
    return this.tail.join('');
  }

  memory(): Memory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: round1(kb('VmRSS') / 1024), peakMb: round1(kb('VmHWM') / 1024) };
  }

  /** CPU time (user + system) used so far, ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  }

  /** SIGTERM (the app drains), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 25_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exitInfo!;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  private keep(text: string): void {
    this.tail.push(text);
    this.tailSize += text.length;
    while (this.tailSize > 16_384 && this.tail.length > 1) this.tailSize -= this.tail.shift()!.length;
  }
}

export class StartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

/** A port that was free a moment ago. */
export { freePort };

export interface LaunchOptions {
  name: string;
  /** node arguments: the script and anything before it. */
  args: string[];
  env: Record<string, string>;
  port: number;
  /** GET path that answers 200 once the server is ready. */
  readyPath: string;
  cwd?: string;
  timeoutMs?: number;
  /** Everything the process prints (stdout and stderr), as it comes: for checks over the whole output. */
  onOutput?: (text: string) => void;
}

/** Starts a server process and waits until `readyPath` answers 200; fails with its output if it exits first. */
export async function launch(opts: LaunchOptions): Promise<ServerProcess> {
  // Only what the server needs: nothing of the bench's own environment (a stray DATABASE_URL, say) leaks in.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env };
  const child = spawn(process.execPath, opts.args, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = new ServerProcess(opts.name, child, opts.port);
  if (opts.onOutput) for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => opts.onOutput!(chunk.toString('utf8')));
  const deadline = performance.now() + (opts.timeoutMs ?? 20_000);
  let lastError = 'no answer yet';
  while (performance.now() < deadline) {
    if (!proc.running) {
      const info = await proc.exited;
      throw new StartError(`${opts.name} exited during start (code ${info.code ?? info.signal})`, proc.output());
    }
    try {
      const res = await fetch(`${proc.url}${opts.readyPath}`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) {
        await res.arrayBuffer();
        return proc;
      }
      lastError = `${opts.readyPath} answered ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (error) {
      lastError = String((error as Error).cause ?? error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.stop(2000);
  throw new StartError(`${opts.name} was not ready within ${opts.timeoutMs ?? 20_000} ms (${lastError})`, proc.output());
}

export type AppEntry = 'dist' | 'source';

/**
 * The bot as production runs it: the node flags of the Procfile's `web:` line (e.g. `node
 * --optimize-for-size dist/src/main.js`) before `dist/src/main.js`, or `src/main.ts` through tsx.
 */
export function appArgs(entry: AppEntry, root = ROOT): string[] {
  // BENCH_NODE_ARGS: extra node flags for the app, for investigating (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const flags = [...procfileNodeFlags(root), ...extra];
  return entry === 'dist' ? [...flags, join(root, 'dist', 'src', 'main.js')] : [...flags, ...TSX, join(root, 'src', 'main.ts')];
}

/** The flags between `node` and the script on the Procfile's `web:` line ([] when there are none or no Procfile). */
export function procfileNodeFlags(root = ROOT): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'Procfile'), 'utf8');
  } catch {
    return [];
  }
  const web = /^web:\s*(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  if (web[0] !== 'node') return [];
  const script = web.findIndex((t, i) => i > 0 && !t.startsWith('-'));
  return web.slice(1, script === -1 ? undefined : script);
}

/** `--import tsx` by absolute URL, so a child whose working directory is elsewhere still finds it. */
export const TSX = ['--import', pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href];

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
