/**
 * Scenario 1, ack: signed message_created webhooks at fixed rates and flat out, across many
 * conversations, against one server process (the bot on a store, or the bare Koa baseline).
 *
 * The bot runs with a debounce longer than the scenario, so every webhook pays the full intake path
 * (signature, parse, classify, durable write, scheduler notify) while no turn runs: this isolates what
 * Chatwoot waits for. Turns under load are the fan-out scenario's business.
 *
 * The throughput ratio compares the bot with the bare handler under the same conditions: the bare
 * server stays up for the whole run, and each bot's flat-out phase alternates short rounds against
 * the bot and against the bare handler, so a burst of other load on a shared machine hits both alike.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBot } from '../lib/bot.js';
import { SECRET, startFakes } from '../lib/fakes.js';
import { closedLoop, openLoop, type LoadTarget, type PhaseResult } from '../lib/http-load.js';
import { BackgroundMeter, shares } from '../lib/machine.js';
import { freePort, launch, ROOT, TSX, type AppEntry, type ServerProcess } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';
import type { StoreSpec } from '../lib/stores.js';
import { classifyAck, taggedText, WebhookFactory } from '../lib/webhooks.js';

export interface AckProfile {
  rates: number[];
  phaseMs: number;
  warmupMs: number;
  flatConnections: number;
  flatMs: number;
  /** Flat out is measured in this many alternating rounds (bot, bare, bot, bare…), flatMs in all per server. */
  flatRounds: number;
  conversations: number;
}

export interface AckPhase extends PhaseResult {
  /** Server CPU per completed request, ms (from /proc; 10 ms tick resolution over the whole phase). */
  serverCpuMsPerReq: number;
  /** Server CPU use over the phase, % of one core. */
  serverCpuPct: number;
  /** The bench process's own CPU use over the phase, % of one core (generator + fakes). */
  benchCpuPct: number;
  /** CPU used by other work on the machine during the phase, % of one core (noise). */
  backgroundCpuPct: number;
  /** Kernel threads (journal commits, writeback: the store's I/O), % of one core. */
  kernelCpuPct: number;
  /** Postgres backends serving the bot's database, % of one core (0 for SQLite). */
  databaseCpuPct: number;
}

export interface AckResult {
  target: string;
  phases: AckPhase[];
  /** Flat-out phase (also the last entry of `phases`). */
  flat: AckPhase;
  /** For a bot: the bare handler's flat out, measured in the rounds interleaved with the bot's. */
  bareFlat?: AckPhase;
  /** For a bot: flat.throughput / bareFlat.throughput. */
  ratio?: number;
  rssAfterMb: number;
  peakRssMb: number;
}

/** The bare Koa baseline, up for the whole run. */
export interface BareServer {
  proc: ServerProcess;
  target: LoadTarget;
  stop(): Promise<void>;
}

export async function startBare(conversations: number): Promise<BareServer> {
  const port = await freePort();
  const proc = await launch({ name: 'bare Koa', args: [...TSX, join(ROOT, 'bench', 'bare-koa.ts')], port, readyPath: '/', env: { PORT: String(port), NODE_ENV: 'production' } });
  return { proc, target: webhookTarget(port, conversations), stop: async () => void (await proc.stop()) };
}

/** Signed customer messages to `port`, a new message id each, over `conversations` conversations. */
function webhookTarget(port: number, conversations: number): LoadTarget {
  const factory = new WebhookFactory(port, SECRET);
  let messageId = 1;
  return {
    port,
    next: () => {
      const id = messageId++;
      const conversationId = 1 + (id % conversations);
      return factory.request({ conversationId, messageId: id, text: taggedText(conversationId, id) });
    },
    classify: classifyAck,
  };
}

export async function runAck(
  what: { kind: 'bare'; bare: BareServer } | { kind: 'bot'; store: StoreSpec; entry: AppEntry; logLevel: string; appRoot?: string; bare: BareServer | null },
  p: AckProfile,
  log: (s: string) => void,
): Promise<AckResult> {
  let proc: ServerProcess;
  let target: LoadTarget;
  let stop = async () => {};
  if (what.kind === 'bare') {
    proc = what.bare.proc;
    target = what.bare.target;
  } else {
    const port = await freePort();
    // Present but idle: with the long debounce the bot never calls them during this scenario.
    const fakes = await startFakes({});
    try {
      const bot = await startBot({
        store: what.store,
        entry: what.entry,
        ...(what.appRoot ? { appRoot: what.appRoot } : {}),
        port,
        chatwootUrl: fakes.chatwoot.url,
        hermesUrl: fakes.hermes.url,
        logLevel: what.logLevel,
        env: { DEBOUNCE_MS: '600000', DEBOUNCE_MAX_MS: '600000' },
      });
      proc = bot.proc;
      stop = async () => {
        await bot.stop();
        await fakes.close();
      };
    } catch (error) {
      await fakes.close();
      throw error;
    }
    target = webhookTarget(port, p.conversations);
  }
  const name = what.kind === 'bare' ? 'bare Koa' : `bot (${what.store.name})`;
  const databaseName = what.kind === 'bot' ? what.store.databaseName : null;

  try {
    await openLoop(target, { rate: 500, durationMs: p.warmupMs });
    const phases: AckPhase[] = [];
    for (const rate of p.rates) {
      const phase = await measured(proc, databaseName, () => openLoop(target, { rate, durationMs: p.phaseMs }));
      logPhase(log, name, phase);
      phases.push(phase);
    }
    let flat: AckPhase;
    let bareFlat: AckPhase | undefined;
    if (what.kind === 'bot' && what.bare) {
      const rounds = Math.max(1, p.flatRounds);
      const ms = p.flatMs / rounds;
      const botRounds: AckPhase[] = [];
      const bareRounds: AckPhase[] = [];
      const botLatencies: number[] = [];
      const bareLatencies: number[] = [];
      const bareServer = what.bare;
      for (let i = 0; i < rounds; i++) {
        botRounds.push(await measured(proc, databaseName, () => closedLoop(target, { connections: p.flatConnections, durationMs: ms }, botLatencies)));
        bareRounds.push(await measured(bareServer.proc, null, () => closedLoop(bareServer.target, { connections: p.flatConnections, durationMs: ms }, bareLatencies)));
      }
      flat = combine(botRounds, botLatencies);
      bareFlat = combine(bareRounds, bareLatencies);
      logPhase(log, name, flat);
      logPhase(log, 'bare Koa (paired)', bareFlat);
    } else {
      flat = await measured(proc, databaseName, () => closedLoop(target, { connections: p.flatConnections, durationMs: p.flatMs }));
      logPhase(log, name, flat);
    }
    phases.push(flat);
    const mem = proc.memory();
    const ratio = bareFlat ? Math.round((flat.throughput / bareFlat.throughput) * 1000) / 1000 : undefined;
    return { target: name, phases, flat, ...(bareFlat ? { bareFlat, ratio: ratio! } : {}), rssAfterMb: mem.rssMb, peakRssMb: mem.peakMb };
  } finally {
    await stop();
  }
}

/** Runs one phase of load and adds what the server, the bench and the rest of the machine spent on it. */
async function measured(proc: ServerProcess, databaseName: string | null, run: () => Promise<PhaseResult>): Promise<AckPhase> {
  await new Promise((r) => setTimeout(r, 100)); // let the previous phase's last answers drain
  const cpu0 = proc.cpuMs();
  const bench0 = process.cpuUsage();
  const background = new BackgroundMeter([() => proc.cpuMs()], [proc.pid], databaseName);
  const t0 = performance.now();
  const result = await run();
  const wall = performance.now() - t0;
  const cpu = proc.cpuMs() - cpu0;
  const bench = process.cpuUsage(bench0);
  return {
    ...result,
    serverCpuMsPerReq: result.completed ? cpu / result.completed : NaN,
    serverCpuPct: (cpu / wall) * 100,
    benchCpuPct: ((bench.user + bench.system) / 1000 / wall) * 100,
    ...shares(background),
  };
}

/** Alternating rounds of one server as one phase: counts added, CPU and load weighted by time. */
function combine(rounds: AckPhase[], latencies: number[]): AckPhase {
  const sum = (f: (p: AckPhase) => number) => rounds.reduce((a, p) => a + f(p), 0);
  const durationMs = sum((p) => p.durationMs);
  const completed = sum((p) => p.completed);
  const weighted = (f: (p: AckPhase) => number) => Math.round(sum((p) => f(p) * p.durationMs) / durationMs);
  const outcomes: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  return {
    offered: null,
    connections: rounds[0]!.connections,
    sent: sum((p) => p.sent),
    completed,
    errors: sum((p) => p.errors),
    outcomes,
    durationMs,
    throughput: (completed / durationMs) * 1000,
    latency: summarize(latencies),
    sendLag: null,
    over5s: sum((p) => p.over5s),
    serverCpuMsPerReq: sum((p) => p.serverCpuMsPerReq * p.completed) / completed,
    serverCpuPct: weighted((p) => p.serverCpuPct),
    benchCpuPct: weighted((p) => p.benchCpuPct),
    backgroundCpuPct: weighted((p) => p.backgroundCpuPct),
    kernelCpuPct: weighted((p) => p.kernelCpuPct),
    databaseCpuPct: weighted((p) => p.databaseCpuPct),
  };
}

function logPhase(log: (s: string) => void, name: string, phase: AckPhase): void {
  log(
    `  ${name.padEnd(18)} ${phase.offered === null ? `flat ×${phase.connections}` : `${phase.offered}/s`}`.padEnd(32) +
      ` → ${phase.throughput.toFixed(0)}/s, p50 ${phase.latency.p50} ms, p99 ${phase.latency.p99} ms, max ${phase.latency.max} ms, errors ${phase.errors}, ` +
      `CPU ${phase.serverCpuMsPerReq.toFixed(3)} ms/req${phase.databaseCpuPct ? ` + database ${phase.databaseCpuPct}%` : ''}, kernel ${phase.kernelCpuPct}%, other load ${phase.backgroundCpuPct}%`,
  );
}
