/**
 * What the figures came from: the machine (cores, memory, CPU model, Node, disk fsync latency) and
 * how busy it was with other work while the bench ran. A benchmark on a shared 2-core box is only as
 * good as its quietness, so every scenario reports the CPU that was neither the app's nor the bench's.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize } from './stats.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  /** fsync of a 4 KiB append in the temp dir (where the bench's stores live), ms. */
  fsync: { p50: number; p99: number };
}

export function machineInfo(): MachineInfo {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpus: os.availableParallelism(),
    cpuModel: model,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    fsync: fsyncLatency(200),
  };
}

function fsyncLatency(n: number): { p50: number; p99: number } {
  const dir = mkdtempSync(join(os.tmpdir(), 'cwhb-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'a');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, block);
      const t = performance.now();
      fsyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const s = summarize(times);
  return { p50: s.p50, p99: s.p99 };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const TICK_MS = 10; // USER_HZ = 100

/** Busy CPU of the whole machine so far (all cores, ms), from /proc/stat. */
export function machineBusyMs(): number {
  const line = safeRead('/proc/stat').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice: busy = all but idle and iowait (guest is inside user).
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy * TICK_MS;
}

/** CPU the bench process has used so far, ms. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

type Category = 'kernel' | 'database' | 'other';

/** CPU so far (ms) of every process, by pid, with what it is: a kernel thread, a Postgres backend of ours, or other. */
function processCpu(databaseName: string | null): Map<number, { ms: number; category: Category }> {
  const out = new Map<number, { ms: number; category: Category }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = safeRead(`/proc/${name}/stat`);
    const close = stat.lastIndexOf(')');
    if (close === -1) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
    let category: Category = 'other';
    if ((Number(f[6]) & 0x00200000) !== 0) category = 'kernel'; // PF_KTHREAD: journal commits, writeback
    else if (comm === 'postgres' && databaseName !== null && safeRead(`/proc/${name}/cmdline`).includes(` ${databaseName} `)) category = 'database';
    out.set(Number(name), { ms, category });
  }
  return out;
}

export interface CpuShares {
  /** % of one core, over the interval. */
  kernelPct: number;
  databasePct: number;
  /** Everything that is neither the measured server, the bench, the kernel's threads nor our database: noise. */
  otherPct: number;
}

/**
 * Splits the machine's CPU over an interval, beyond the server under test and the bench itself:
 * kernel threads (the I/O a store causes: journal commits, writeback), the Postgres backends serving
 * our database (part of the Postgres store's cost), and other work on the machine — the noise.
 */
export class BackgroundMeter {
  private readonly t0 = performance.now();
  private readonly busy0 = machineBusyMs();
  private readonly own0 = ownCpuMs();
  private readonly procs0: Map<number, { ms: number; category: Category }>;
  private readonly measured0: number;

  constructor(
    private readonly measured: Array<() => number> = [],
    private readonly measuredPids: number[] = [],
    private readonly databaseName: string | null = null,
  ) {
    this.procs0 = processCpu(databaseName);
    this.measured0 = this.sumMeasured();
  }

  shares(): CpuShares {
    const wall = performance.now() - this.t0;
    const busy = machineBusyMs() - this.busy0;
    const own = ownCpuMs() - this.own0;
    const measured = this.sumMeasured() - this.measured0;
    const by: Record<Category, number> = { kernel: 0, database: 0, other: 0 };
    for (const [pid, now] of processCpu(this.databaseName)) {
      if (pid === process.pid || this.measuredPids.includes(pid) || now.category === 'other') continue;
      by[now.category] += now.ms - (this.procs0.get(pid)?.ms ?? 0);
    }
    const pct = (ms: number) => Math.max(0, Math.round((ms / wall) * 100));
    return { kernelPct: pct(by.kernel), databasePct: pct(by.database), otherPct: pct(busy - own - measured - by.kernel - by.database) };
  }

  /** Other work on the machine, % of one core. */
  backgroundPct(): number {
    return this.shares().otherPct;
  }

  private sumMeasured(): number {
    let sum = 0;
    for (const read of this.measured) {
      try {
        sum += read();
      } catch {
        /* process gone */
      }
    }
    return sum;
  }
}

/** A meter's reading as the fields the scenarios report. */
export function shares(meter: BackgroundMeter): { backgroundCpuPct: number; kernelCpuPct: number; databaseCpuPct: number } {
  const s = meter.shares();
  return { backgroundCpuPct: s.otherPct, kernelCpuPct: s.kernelPct, databaseCpuPct: s.databasePct };
}

/**
 * Waits (bounded) until the rest of the machine uses under `thresholdPct` of one core for a whole
 * second; returns the last reading. The bench runs anyway after `maxWaitMs`, and says so.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdPct: number, onWait?: (pct: number) => void): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  let pct = 0;
  for (let i = 0; ; i++) {
    const meter = new BackgroundMeter();
    await new Promise((r) => setTimeout(r, 1000));
    pct = meter.backgroundPct();
    if (pct < thresholdPct || performance.now() >= deadline) return pct;
    if (i % 5 === 0) onWait?.(pct);
  }
}
