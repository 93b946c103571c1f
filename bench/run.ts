/**
 * `npm run bench` — what users feel, side by side with the limits (issue 6).
 *
 *   npm run bench                 full run (a few minutes): table on stdout, bench/results/latest.json,
 *                                 docs/bench-ack-latency.svg
 *   npm run bench -- --quick      small run (< 1 min), for CI: bench/results/quick.tmp.json, no chart
 *
 * The bot runs as its own process (`node dist/src/main.js`, built first if stale) with the fake
 * Chatwoot and fake Hermes on 127.0.0.1 in this process, on SQLite and — when TEST_DATABASE_URL
 * answers and the build has the Postgres store — on Postgres. Scenarios: 1 ack (fixed rates and flat
 * out, against the bot and a bare Koa handler), 2 overhead (webhook → reply POST), 3 fan-out
 * (many conversations, slow Hermes), 4 idle memory, 5 mixed (acks while turns saturate the app). See
 * bench/README.md.
 *
 * Exit status: 1 when the run itself breaks (the app does not start, webhooks not accepted, replies
 * missing, doubled, out of order, contract violations); a missed latency target only prints MISS
 * (add --strict to fail on it too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chartFromResults } from './lib/chart.js';
import { machineInfo, waitForQuiet } from './lib/machine.js';
import { appArgs, ROOT, StartError, type AppEntry } from './lib/processes.js';
import { renderReport } from './lib/report.js';
import { checkTargets, findProblems, type BenchResults, type Profile, type StoreRun } from './lib/results.js';
import { DEFAULT_TEST_DATABASE_URL, postgresStore, postgresUnreachable, redactUrl, sqliteStore, type StoreName, type StoreSpec } from './lib/stores.js';
import { runAck, startBare, type AckResult, type BareServer } from './scenarios/ack.js';
import { runFanout } from './scenarios/fanout.js';
import { runMixed } from './scenarios/mixed.js';
import { runOverhead } from './scenarios/overhead.js';

const PROFILES: Record<'quick' | 'full', Profile> = {
  full: {
    mode: 'full',
    ack: { rates: [100, 500, 1000], phaseMs: 8000, warmupMs: 2000, flatConnections: 32, flatMs: 8000, flatRounds: 4, conversations: 10_000 },
    overhead: { samples: 500, conversations: 50 },
    fanout: { conversations: 1000, messagesPerConversation: 3, hermesMs: 2000, maxConcurrentTurns: 100, validate: true, settleMs: 5000 },
    // Validation off: at 500 webhooks/s plus ~4 Chatwoot calls per turn it would cost the bench process a core.
    // The warm-up's quiet spell outlasts the Postgres pools' 30 s idle timeout (store/postgres/connection.ts).
    mixed: {
      warmup: { rate: 100, durationMs: 3000, conversations: 100, quietMs: 35_000 },
      rate: 500,
      durationMs: 10_000,
      conversations: 500,
      maxConcurrentTurns: 64,
      validate: false,
      drainIdleMs: 20_000,
      drainTimeoutMs: 300_000,
    },
  },
  quick: {
    mode: 'quick',
    ack: { rates: [100, 500, 1000], phaseMs: 600, warmupMs: 200, flatConnections: 32, flatMs: 600, flatRounds: 2, conversations: 2000 },
    overhead: { samples: 30, conversations: 10 },
    fanout: { conversations: 30, messagesPerConversation: 3, hermesMs: 300, maxConcurrentTurns: 15, validate: true, settleMs: 200 },
    mixed: {
      warmup: { rate: 50, durationMs: 1000, conversations: 10, quietMs: 500 },
      rate: 100,
      durationMs: 2000,
      conversations: 50,
      maxConcurrentTurns: 64,
      validate: true,
      drainIdleMs: 10_000,
      drainTimeoutMs: 60_000,
    },
  },
};

const SCENARIOS = ['ack', 'overhead', 'fanout', 'mixed'] as const;
type Scenario = (typeof SCENARIOS)[number];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      stores: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      chart: { type: 'string' },
      source: { type: 'boolean', default: false },
      'app-root': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      strict: { type: 'boolean', default: false },
      'quiet-wait': { type: 'string' },
      'mixed-rate': { type: 'string' },
      'mixed-cold': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm run bench [-- options]',
        '  --quick               small run (< 1 min) for CI; results in bench/results/quick.tmp.json',
        '  --stores a,b          sqlite and/or postgres (default: sqlite, and postgres when TEST_DATABASE_URL answers)',
        '  --only a,b            scenarios: ack, overhead, fanout, mixed (default: all)',
        '  --out FILE            JSON results (default: bench/results/latest.json; quick: bench/results/quick.tmp.json)',
        '  --chart FILE          SVG chart (default for a full run: docs/bench-ack-latency.svg; quick: none)',
        '  --source              run the app from source through tsx instead of the compiled dist/',
        '  --app-root DIR        run the app of another checkout (built there), e.g. to measure before/after a change',
        '  --log-level LEVEL     the app\'s LOG_LEVEL (default warn)',
        '  --strict              exit 1 on a missed target too',
        '  --quiet-wait SECONDS  wait up to this long for other CPU load to settle before starting (full: 120, quick: 0)',
        '  --mixed-rate N        the mixed scenario at N webhooks/s over N conversations (default: full 500, quick 100)',
        '  --mixed-cold          the mixed scenario without its warm-up: the burst meets a process just started',
        '',
      ].join('\n'),
    );
    return 0;
  }
  const mode = values.quick ? 'quick' : 'full';
  const profile = { ...PROFILES[mode] };
  if (values['mixed-rate']) {
    // A slower machine (or a busy one) cannot take 500/s even without turns: compare at a rate it can.
    const rate = Number(values['mixed-rate']);
    if (!Number.isInteger(rate) || rate < 1) throw new Error(`--mixed-rate must be a positive integer (got ${values['mixed-rate']})`);
    profile.mixed = { ...profile.mixed, rate, conversations: rate };
  }
  if (values['mixed-cold']) profile.mixed = { ...profile.mixed, warmup: null };
  const entry: AppEntry = values.source ? 'source' : 'dist';
  const appRoot = values['app-root'] ? resolve(values['app-root']) : undefined;
  const logLevel = values['log-level'] ?? 'warn';
  const scenarios = new Set<Scenario>((values.only?.split(',').map((s) => s.trim()) ?? SCENARIOS) as Scenario[]);
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (ack, overhead, fanout, mixed)`);
  const out = values.out ?? join(ROOT, 'bench', 'results', mode === 'full' ? 'latest.json' : 'quick.tmp.json');
  const chart = values.chart ?? (mode === 'full' ? join(ROOT, 'docs', 'bench-ack-latency.svg') : undefined);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = performance.now();
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

  if (entry === 'dist') ensureBuilt(log, appRoot ?? ROOT);
  const machine = machineInfo();
  const quietWaitS = Number(values['quiet-wait'] ?? (mode === 'full' ? 120 : 0));
  const backgroundBeforeStartPct = quietWaitS > 0 ? await waitForQuiet(quietWaitS * 1000, 15, (pct) => log(`waiting for the machine to quiet down: other processes use ${pct}% of a core`)) : 0;
  if (backgroundBeforeStartPct >= 15) log(`note: the machine is busy with other work (${backgroundBeforeStartPct}% of a core): expect noisy figures`);

  // Which stores.
  const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
  const wanted = new Set<StoreName>((values.stores?.split(',').map((s) => s.trim()) as StoreName[] | undefined) ?? ['sqlite', 'postgres']);
  const runs: StoreRun[] = [];
  const specs: StoreSpec[] = [];
  if (wanted.has('sqlite')) {
    runs.push({ store: 'sqlite', available: true, errors: [] });
    specs.push(sqliteStore());
  }
  if (wanted.has('postgres')) {
    const unreachable = await postgresUnreachable(testDatabaseUrl);
    if (unreachable) runs.push({ store: 'postgres', available: false, reason: unreachable, errors: [] });
    else {
      runs.push({ store: 'postgres', available: true, errors: [] });
      specs.push(postgresStore(testDatabaseUrl));
    }
  }
  log(`bench (${mode}): stores ${runs.map((r) => `${r.store}${r.available ? '' : ' (not available)'}`).join(', ')}; app ${entry}; scenarios ${[...scenarios].join(', ')}`);

  let bare: AckResult | null = null;
  let bareServer: BareServer | null = null;
  if (scenarios.has('ack')) {
    log('1. ack: bare Koa baseline');
    bareServer = await startBare(profile.ack.conversations);
    bare = await runAck({ kind: 'bare', bare: bareServer }, profile.ack, log);
  }

  for (const spec of specs) {
    const run = runs.find((r) => r.store === spec.name)!;
    const o = { store: spec, entry, logLevel, ...(appRoot ? { appRoot } : {}) };
    let first = true;
    const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
      if (!run.available) return undefined;
      try {
        return await fn();
      } catch (error) {
        const output = error instanceof StartError ? error.output : '';
        if (first && spec.name === 'postgres' && error instanceof StartError) {
          // The Postgres store is optional in a build: a refusal to start on it is "not available", not a failure.
          run.available = false;
          run.reason = `the app did not start with DATABASE_URL=${redactUrl(testDatabaseUrl)}: ${lastLine(output) || error.message}`;
          log(`  postgres: not available in this build (${run.reason})`);
          return undefined;
        }
        run.errors.push(`${what}: ${(error as Error).message}${output ? `\n${indent(output.slice(-2000))}` : ''}`);
        log(`  ${spec.name} ${what} failed: ${(error as Error).message}${output ? `\n${indent(output.slice(-2000))}` : ''}`);
        return undefined;
      } finally {
        first = false;
      }
    };
    if (scenarios.has('ack')) {
      log(`1. ack: bot on ${spec.name}`);
      run.ack = await attempt('ack', () => runAck({ kind: 'bot', ...o, bare: bareServer }, profile.ack, log));
      if (run.ack?.ratio !== undefined) run.flatRatio = run.ack.ratio;
    }
    if (scenarios.has('overhead')) {
      log(`2. overhead: bot on ${spec.name}`);
      run.overhead = await attempt('overhead', () => runOverhead(o, profile.overhead, log));
    }
    if (scenarios.has('fanout')) {
      log(`3. fan-out: bot on ${spec.name}`);
      run.fanout = await attempt('fan-out', () => runFanout(o, profile.fanout, log));
    }
    if (scenarios.has('mixed')) {
      log(`5. mixed: bot on ${spec.name}`);
      run.mixed = await attempt('mixed', () => runMixed(o, profile.mixed, log));
    }
  }

  await bareServer?.stop();

  const results: BenchResults = {
    version: 1,
    mode,
    startedAt,
    durationS: Math.round((performance.now() - started) / 1000),
    machine,
    backgroundBeforeStartPct,
    git: gitInfo(),
    app: { entry, logLevel, command: `node ${appArgs(entry, appRoot ?? ROOT).map((a) => (a.startsWith(appRoot ?? ROOT) ? relative(appRoot ?? ROOT, a) : a)).join(' ')}`, ...(appRoot ? { root: appRoot } : {}) },
    profile,
    bare,
    stores: runs,
    targets: checkTargets(runs),
    problems: findProblems(bare, runs),
  };

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (chart && bare) {
    mkdirSync(dirname(chart), { recursive: true });
    writeFileSync(chart, chartFromResults(results));
  }
  process.stdout.write(`${renderReport(results)}\n`);
  process.stdout.write(`\nresults: ${relative(process.cwd(), out)}${chart && bare ? `, chart: ${relative(process.cwd(), chart)}` : ''}\n`);

  if (results.problems.length) return 1;
  if (values.strict && results.targets.some((t) => !t.pass)) return 1;
  return 0;
}

/** Builds dist/ (tsc -p tsconfig.build.json) when it is missing or older than any source file. */
function ensureBuilt(log: (s: string) => void, root: string): void {
  const main = join(root, 'dist', 'src', 'main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const newest = newestMtime(join(root, 'src'));
  if (built >= newest) return;
  log(built ? 'dist/ is older than src/: building (npm run build)' : 'dist/ missing: building (npm run build)');
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) {
    // tsc still emits on type errors; measure what it emitted, but say so.
    log(`warning: the build reported errors (measuring what it emitted):\n${indent((res.stdout + res.stderr).slice(0, 2000))}`);
    if (!existsSync(main)) throw new Error('the build produced no dist/src/main.js');
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function gitInfo(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src', 'package.json', 'package-lock.json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const failed = lines.find((l) => /failed to start|not available|error/i.test(l));
  return (failed ?? lines.at(-1) ?? '').slice(0, 300);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
