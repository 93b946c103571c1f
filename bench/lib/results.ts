/** The shape of bench/results/*.json, and the targets of issue 6 checked against it. */
import type { AckProfile, AckResult } from '../scenarios/ack.js';
import type { FanoutProfile, FanoutResult } from '../scenarios/fanout.js';
import type { MixedProfile, MixedResult } from '../scenarios/mixed.js';
import type { OverheadProfile, OverheadResult } from '../scenarios/overhead.js';
import type { MachineInfo } from './machine.js';
import type { StoreName } from './stores.js';

export interface Profile {
  mode: 'quick' | 'full';
  ack: AckProfile;
  overhead: OverheadProfile;
  fanout: FanoutProfile;
  mixed: MixedProfile;
}

export interface StoreRun {
  store: StoreName;
  /** false: this store was not run (reason says why); not a failure. */
  available: boolean;
  reason?: string;
  ack?: AckResult;
  /** Bot flat-out throughput / bare Koa flat-out throughput. */
  flatRatio?: number;
  overhead?: OverheadResult;
  fanout?: FanoutResult;
  mixed?: MixedResult;
  /** A scenario that could not complete (the app died, a timeout): the run is broken. */
  errors: string[];
}

export interface BenchResults {
  version: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  /** Background CPU (% of one core) right before the run started. */
  backgroundBeforeStartPct: number;
  git: { commit: string | null; dirty: boolean | null };
  app: { entry: 'dist' | 'source'; logLevel: string; command: string; root?: string };
  profile: Profile;
  bare: AckResult | null;
  stores: StoreRun[];
  targets: TargetCheck[];
  /** Why the run counts as broken (empty: it ran cleanly, whatever the targets say). */
  problems: string[];
}

export interface TargetCheck {
  store: StoreName;
  what: string;
  value: number;
  unit: string;
  limit: string;
  pass: boolean;
}

export const TARGETS = {
  ackP99At500Ms: 50,
  flatRatio: 0.5,
  overheadP50Ms: 10,
  overheadP99Ms: 50,
  fanoutVsIdeal: 1.2,
  fanoutPeakRssMb: 150,
  mixedAckP99Ms: 250,
} as const;

export function checkTargets(runs: StoreRun[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const r of runs) {
    if (!r.available) continue;
    const add = (what: string, value: number | undefined, unit: string, limit: string, pass: (v: number) => boolean) => {
      if (value === undefined || Number.isNaN(value)) return;
      out.push({ store: r.store, what, value, unit, limit, pass: pass(value) });
    };
    const at500 = r.ack?.phases.find((p) => p.offered === 500);
    add('ack p99 at 500/s', at500?.latency.p99, 'ms', `≤ ${TARGETS.ackP99At500Ms} ms`, (v) => v <= TARGETS.ackP99At500Ms);
    add('flat-out throughput vs bare Koa', r.flatRatio, '×', `≥ ${TARGETS.flatRatio}×`, (v) => v >= TARGETS.flatRatio);
    add('overhead p50 (webhook → reply POST)', r.overhead?.toReply.p50, 'ms', `≤ ${TARGETS.overheadP50Ms} ms`, (v) => v <= TARGETS.overheadP50Ms);
    add('overhead p99 (webhook → reply POST)', r.overhead?.toReply.p99, 'ms', `≤ ${TARGETS.overheadP99Ms} ms`, (v) => v <= TARGETS.overheadP99Ms);
    add('fan-out total vs ideal', r.fanout?.vsIdeal, '×', `≤ ${TARGETS.fanoutVsIdeal}×`, (v) => v <= TARGETS.fanoutVsIdeal);
    add('fan-out replies missing', r.fanout?.missing, '', '= 0', (v) => v === 0);
    add('fan-out replies duplicated', r.fanout?.duplicated, '', '= 0', (v) => v === 0);
    add('fan-out replies out of order', r.fanout?.outOfOrder, '', '= 0', (v) => v === 0);
    add('fan-out peak RSS', r.fanout?.rssPeakMb, 'MiB', `≤ ${TARGETS.fanoutPeakRssMb} MiB`, (v) => v <= TARGETS.fanoutPeakRssMb);
    add('mixed: ack p99 while turns run', r.mixed?.ack.p99, 'ms', `≤ ${TARGETS.mixedAckP99Ms} ms`, (v) => v <= TARGETS.mixedAckP99Ms);
    add('mixed: messages lost', r.mixed?.lost, '', '= 0', (v) => v === 0);
    add('mixed: messages not answered exactly once', r.mixed ? r.mixed.messages - r.mixed.answeredOnce : undefined, '', '= 0', (v) => v === 0);
  }
  return out;
}

/** What makes a run broken (exit 1), as opposed to slow: wrong answers, lost or doubled replies, a dead app. */
export function findProblems(bare: AckResult | null, runs: StoreRun[]): string[] {
  const problems: string[] = [];
  const ackErrors = (name: string, a: AckResult | undefined | null) => {
    for (const p of a?.phases ?? []) {
      if (p.errors > 0) problems.push(`${name}: ${p.errors} webhook(s) not answered "accepted" at ${p.offered ?? 'flat out'} (${JSON.stringify(p.outcomes)})`);
    }
  };
  ackErrors('bare Koa', bare);
  for (const r of runs) {
    if (!r.available) continue;
    for (const e of r.errors) problems.push(`${r.store}: ${e}`);
    ackErrors(`bot (${r.store})`, r.ack);
    const o = r.overhead;
    if (o && o.failures > 0) problems.push(`${r.store}: overhead: ${o.failures} of ${o.samples} turns without their reply within 5 s`);
    const f = r.fanout;
    if (f) {
      if (f.missing) problems.push(`${r.store}: fan-out: ${f.missing} replies missing`);
      if (f.duplicated) problems.push(`${r.store}: fan-out: ${f.duplicated} replies duplicated`);
      if (f.outOfOrder) problems.push(`${r.store}: fan-out: ${f.outOfOrder} replies out of order`);
      if (f.misrouted) problems.push(`${r.store}: fan-out: ${f.misrouted} replies posted to the wrong conversation`);
      if (f.handoffs) problems.push(`${r.store}: fan-out: ${f.handoffs} hand-offs (turns that failed)`);
      if (f.hermes429) problems.push(`${r.store}: fan-out: Hermes answered 429 ${f.hermes429} times (more turns at once than MAX_CONCURRENT_TURNS)`);
      if (f.ackErrors) problems.push(`${r.store}: fan-out: ${f.ackErrors} customer webhooks not accepted`);
    }
    const x = r.mixed;
    if (x) {
      // Correctness only: a slow ack is a missed target, not a broken run (CI machines are noisy).
      if (x.lost) problems.push(`${r.store}: mixed: ${x.lost} messages never answered`);
      if (x.duplicated) problems.push(`${r.store}: mixed: ${x.duplicated} messages answered twice`);
      if (x.outOfOrder) problems.push(`${r.store}: mixed: ${x.outOfOrder} replies out of order`);
      if (x.misrouted) problems.push(`${r.store}: mixed: ${x.misrouted} replies posted to the wrong conversation`);
      if (x.handoffs) problems.push(`${r.store}: mixed: ${x.handoffs} hand-offs (turns that failed)`);
      if (x.ackErrors) problems.push(`${r.store}: mixed: ${x.ackErrors} customer webhooks not accepted`);
    }
    const violations = [...(o?.contractViolations ?? []), ...(f?.contractViolations ?? []), ...(x?.contractViolations ?? [])];
    if (violations.length) problems.push(`${r.store}: ${violations.length} Chatwoot contract violation(s), first: ${violations[0]}`);
  }
  return problems;
}
