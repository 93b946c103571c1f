/**
 * One chaos run: a fresh store, the fakes, the bot's instances behind the router, the workload, and a
 * fault acting while it plays. Then the run settles (every delivery finished, nothing happening for a
 * while), the instances stop, and the history is read back from the fakes and judged (invariants.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakes, type Fakes } from '../../bench/lib/fakes.js';
import { summarize, type LatencySummary } from '../../bench/lib/stats.js';
import type { StoreLease, StoreName } from '../../bench/lib/stores.js';
import { TcpProxy } from '../../test/helpers/tcp-proxy.js';
import { DEFAULT_HANDOFF_MARKER } from '../../src/safety/index.js';
import { Customers } from './customers.js';
import { FaultProxy } from './fault-proxy.js';
import { Fleet, SECRETS } from './fleet.js';
import { checkInvariants, type ChaosHistory, type Figures, type Invariants, type StatusChange } from './invariants.js';
import { Router } from './router.js';
import { drive, planWorkload, seededRandom, workloadSpan, type WorkloadProfile } from './workload.js';

export interface World {
  fakes: Fakes;
  fleet: Fleet;
  router: Router;
  customers: Customers;
  /** The proxy between the bot and Postgres (null on SQLite). */
  pgProxy: TcpProxy | null;
  /** Between the bot and the fake Chatwoot's API, and the fake Hermes: storms and outages. */
  chatwootProxy: FaultProxy;
  hermesProxy: FaultProxy;
  lease: StoreLease;
  store: StoreName;
  random: () => number;
  /** When the workload started (Date.now()) and how long it plays, ms. */
  startedAt: number;
  spanMs: number;
  log(line: string): void;
}

export interface Fault {
  name: string;
  /** Bot instances (Postgres may run several). */
  instances?(store: StoreName): number;
  /** Extra environment for the bot. */
  env?: Record<string, string>;
  /** Redelivery: each webhook this many times, each copy after a random delay. */
  copies?: number;
  jitterMs?(random: () => number): number;
  /** Webhook answers slower than this (or none within Chatwoot's 5 s) are counted, and must be 0. */
  ackBudgetMs?: number;
  /** Before the bot starts, on its fresh store; returns what undoes it. */
  prepare?(lease: StoreLease): Promise<() => Promise<void>>;
  /** Skips the run with a reason (e.g. needs root). */
  skip?(store: StoreName): string | null;
  /** Acts while the workload plays; resolves with the fault's own figures once it has healed. */
  during(world: World): Promise<Record<string, number | string>>;
  /** Once the run has settled and the bot has stopped: more figures, judged on what the fault did. */
  judge?(world: World): Promise<Record<string, number | string>>;
  /** Names of the fault's figures that must be 0, like the invariants. */
  mustBeZero?: string[];
}

export interface RunProfile {
  workload: WorkloadProfile;
  /** Give up waiting for the run to settle after this long, ms. */
  settleTimeoutMs: number;
  seed: number;
}

export interface RunResult {
  fault: string;
  store: StoreName;
  skipped?: string;
  invariants?: Invariants;
  /** Messages behind the lost / unanswered counts (a few). */
  examples?: string[];
  figures?: Figures;
  /** Each delivery attempt Chatwoot made: how long until its answer. */
  acks?: LatencySummary;
  /** Fault-specific figures. */
  extra?: Record<string, number | string>;
  /** Must be 0 too: instances that exited on their own, requests that broke Chatwoot's API contract. */
  unplannedExits?: number;
  contractViolations?: number;
  /** The fault's own must-be-0 figures (Fault.mustBeZero), by name. */
  faultMustBeZero?: Array<[string, number]>;
  /** With the fault's ackBudgetMs: delivery attempts answered later than it, or not at all. */
  answersOverBudget?: { budgetMs: number; count: number };
  seconds?: number;
}

const QUIET_MS = 4000;

function handsOff(sessionId: string | null): boolean {
  return Number(/(\d+)$/.exec(sessionId ?? "")?.[1]) % 8 === 5;
}

export async function runOne(fault: Fault, store: { name: StoreName; lease(): Promise<StoreLease> }, profile: RunProfile, log: (s: string) => void): Promise<RunResult> {
  const skip = fault.skip?.(store.name);
  if (skip) return { fault: fault.name, store: store.name, skipped: skip };
  const t0 = Date.now();
  const lease = await store.lease();
  let undo: (() => Promise<void>) | undefined;
  try {
    undo = await fault.prepare?.(lease);
  } catch (error) {
    await lease.release();
    throw error;
  }
  let pgProxy: TcpProxy | null = null;
  const env = { ...lease.env };
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    pgProxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${pgProxy.port}`;
    env.DATABASE_URL = url.toString();
  }
  let fleetRef: Fleet | null = null;
  const router = await Router.start(() => fleetRef?.instances ?? []);
  const fakes = await startFakes({ echoTo: `${router.url}/chatwoot/webhook`, hermesMaxRuns: 0 });
  const chatwootProxy = await FaultProxy.start(fakes.chatwoot.url);
  const hermesProxy = await FaultProxy.start(fakes.hermes.url);
  const random = seededRandom(profile.seed);
  // Hermes thinks 50–800 ms: turns overlap, a kill finds some mid-call.
  fakes.hermes.setDelay(() => 50 + Math.floor(Math.random() * 750));
  // One conversation in eight, Hermes asks for a human (the hand-off marker): hand-offs happen in every run.
  fakes.hermes.setReply(({ turn, userText, sessionId }) => `Resposta ${turn}: ${userText}${handsOff(sessionId) ? ` ${DEFAULT_HANDOFF_MARKER}` : ''}`);
  const fleet = await Fleet.create({
    lease: { ...lease, env },
    instances: fault.instances?.(store.name) ?? 1,
    chatwootUrl: chatwootProxy.url,
    hermesUrl: hermesProxy.url,
    // A short debounce so bursts still merge; retries and timeouts as configured in production.
    env: { DEBOUNCE_MS: '300', DEBOUNCE_MAX_MS: '1500', MAX_CONCURRENT_TURNS: '32', HERMES_TIMEOUT_MS: '20000', ...fault.env },
  });
  fleetRef = fleet;
  const customers = new Customers(fakes.chatwoot, `${router.url}/chatwoot/webhook`);
  try {
    await fleet.startAll();
    const steps = planWorkload(profile.workload, random);
    const world: World = { fakes, fleet, router, customers, pgProxy, chatwootProxy, hermesProxy, lease, store: store.name, random, startedAt: Date.now(), spanMs: workloadSpan(steps), log };
    const copies = fault.copies ?? 1;
    const [, extra] = await Promise.all([drive(steps, customers, { copies, jitterMs: () => fault.jitterMs?.(random) ?? 0 }), fault.during(world)]);
    await customers.settled();
    await settle(world, profile.settleTimeoutMs);
    await fleet.stopAll();
    // CHAOS_LOG_DIR: keep each run's bot output, for investigating a broken invariant.
    if (process.env.CHAOS_LOG_DIR) {
      // Made when missing: a run of minutes must not be lost at its end for want of a folder.
      mkdirSync(process.env.CHAOS_LOG_DIR, { recursive: true });
      writeFileSync(join(process.env.CHAOS_LOG_DIR, `${fault.name.replace(/[^a-z0-9]+/gi, '-')}-${store.name}.log`), fleet.logs());
    }
    const judgement = (await fault.judge?.(world)) ?? {};
    const history = readHistory(world);
    const judged = checkInvariants(history);
    const attempts = customers.attempts();
    return {
      fault: fault.name,
      store: store.name,
      ...judged,
      acks: summarize(attempts.map((a) => a.ms)),
      extra: { ...extra, ...judgement, kills: fleet.kills, 'conversations Chatwoot opened after its last retry': new Set(history.statusChanges.filter((c) => c.by === 'system').map((c) => c.conversationId)).size },
      ...(fault.ackBudgetMs ? { answersOverBudget: { budgetMs: fault.ackBudgetMs, count: attempts.filter((a) => a.status === null || a.ms > fault.ackBudgetMs!).length } } : {}),
      // A figure missing from what the fault reported counts as broken (NaN), never as a silent 0.
      ...(fault.mustBeZero ? { faultMustBeZero: fault.mustBeZero.map((k): [string, number] => [k, Number({ ...extra, ...judgement }[k] ?? Number.NaN)]) } : {}),
      unplannedExits: fleet.crashed().length,
      contractViolations: fakes.chatwoot.violations().length,
      seconds: Math.round((Date.now() - t0) / 1000),
    };
  } finally {
    for (const crash of fleet.crashed()) log(`  !! instance :${crash.port} exited on its own; its last output:\n${crash.output.slice(-3000)}`);
    // Each step on its own: a failing one must not leave the store's schema or directory behind.
    const steps: Array<[string, () => Promise<void> | void]> = [
      ['stop the bot', () => fleet.stopAll()],
      ['stop the customers', () => customers.close()],
      ['close the fakes', () => fakes.close()],
      ['close the proxies', async () => void (await Promise.all([router.close(), chatwootProxy.close(), hermesProxy.close(), pgProxy?.close()]))],
      ["undo the fault's preparation", async () => undo?.()],
      ['release the store', () => lease.release()],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        log(`  !! could not ${what}: ${String(error)}`);
      }
    }
  }
}

/** Waits until nothing has reached the fakes for QUIET_MS and every instance is up (or the timeout). */
async function settle(world: World, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const activity = () => world.fakes.chatwoot.requests.length + world.fakes.hermes.requests.length;
  let last = activity();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = activity();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= QUIET_MS && world.fleet.instances.every((i) => i.up())) return;
  }
  world.log(`  (did not settle within ${timeoutMs / 1000} s)`);
}

function readHistory(world: World): ChaosHistory {
  const { chatwoot, hermes } = world.fakes;
  const conversations = [...new Set(world.customers.sent.map((s) => s.conversationId))];
  const posts = conversations.flatMap((id) => chatwoot.messages(1, id).map((m) => ({ conversationId: id, content: m.content ?? '', private: m.private, at: m.at })));
  const botOpened: StatusChange[] = [];
  // Only the workload's conversations: a fault may drive conversations of its own (bad-input's), judged by the fault.
  const ours = new Set(conversations);
  for (const r of chatwoot.requests) {
    const m = /\/conversations\/(\d+)\/toggle_status$/.exec(r.path);
    if (m && ours.has(Number(m[1])) && r.method === 'POST' && r.status === 200 && r.body?.status === 'open') botOpened.push({ conversationId: Number(m[1]), to: 'open', by: 'bot', at: r.at });
  }
  // The fake's own status history: Chatwoot also opens a conversation when the echo of one of the
  // bot's messages fails for good (a timeout under load), as real Chatwoot does.
  const fakeHistory: StatusChange[] = conversations.flatMap((id) => chatwoot.conversation(1, id).history.map((c) => ({ conversationId: id, to: c.to, by: c.by, at: c.at })));
  const hermesReplies = hermes
    .completions()
    .filter((r) => r.status === 200 && r.userText !== null)
    .map((r) => ({ conversationId: Number(/^chatwoot-\d+-(\d+)$/.exec(r.sessionIdSent ?? '')?.[1] ?? -1), text: r.userText! }));
  return {
    sent: world.customers.sent,
    posts,
    statusChanges: [...world.customers.statusChanges, ...botOpened, ...fakeHistory],
    hermesReplies,
    logs: world.fleet.logs(),
    // The database password too (the suite's Postgres URL carries one; trust auth ignores it).
    secrets: [...SECRETS, world.lease.env.DATABASE_URL ? decodeURIComponent(new URL(world.lease.env.DATABASE_URL).password) : ''].filter(Boolean),
  };
}
