/**
 * `npm run chaos` — faults on purpose while a realistic workload runs; the same invariants counted
 * after every fault, on every store (issue 13). The README's Reliability section has the figures.
 *
 *   npm run chaos                 full run (long): every fault on SQLite and Postgres
 *   npm run chaos -- --quick      a few minutes, for CI: fewer conversations, kills and shorter outages
 *                                 (faults/index.ts QUICK_FAULTS: every fault)
 *   options: --only a,b (fault ids)  --stores sqlite,postgres  --seed N
 *   CHAOS_LOG_DIR=dir keeps each run's bot output there.
 * Faults (faults/index.ts): redelivery, kill, hermes-down, hermes-429, chatwoot-storm, chatwoot-down,
 * store-refused, store-silent, disk-full, bad-input (signed hostile bodies and slow clients).
 *
 * Exit status 1 when any invariant of any run is not 0 (or a bot process died on its own, or a
 * request broke Chatwoot's API contract).
 */
import { parseArgs } from 'node:util';
import { machineInfo } from '../bench/lib/machine.js';
import { DEFAULT_TEST_DATABASE_URL, postgresStore, postgresUnreachable, redactUrl, sqliteStore, type StoreSpec } from '../bench/lib/stores.js';
import { FAULTS, QUICK_FAULTS, type Mode } from './faults/index.js';
import { runOne, type RunResult } from './lib/harness.js';
import { passed, runTable, summaryTable } from './lib/table.js';
import type { WorkloadProfile } from './lib/workload.js';

const WORKLOAD: Record<Mode, WorkloadProfile> = {
  full: { conversations: 300, spreadMs: 60_000, maxMessages: 4, takeoverShare: 0.1, mediaShare: 0.15 },
  quick: { conversations: 40, spreadMs: 12_000, maxMessages: 3, takeoverShare: 0.1, mediaShare: 0.15 },
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, stores: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(`npm run chaos [-- --quick] [--only ${Object.keys(FAULTS).join(',')}] [--stores sqlite,postgres] [--seed N]\n`);
    return 0;
  }
  const mode: Mode = values.quick ? 'quick' : 'full';
  const seed = Number(values.seed ?? Date.now() % 1_000_000);
  const only = values.only?.split(',').map((s) => s.trim()) ?? (mode === 'quick' ? QUICK_FAULTS : Object.keys(FAULTS));
  for (const id of only) if (!(id in FAULTS)) throw new Error(`unknown fault "${id}" (known: ${Object.keys(FAULTS).join(', ')})`);

  // A password in the URL (trust auth ignores it) so the secrets check has one more to look for.
  const base = new URL(process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
  if (!base.password) base.password = 'chaos-db-password';
  const stores: StoreSpec[] = [];
  const wanted = values.stores?.split(',') ?? ['sqlite', 'postgres'];
  if (wanted.includes('sqlite')) stores.push(sqliteStore());
  if (wanted.includes('postgres')) {
    const why = await postgresUnreachable(base.toString());
    if (why && process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but ${why}`);
    if (why) process.stdout.write(`!! Postgres runs SKIPPED: ${why}\n`);
    else stores.push(postgresStore(base.toString()));
  }
  const machine = machineInfo();
  process.stdout.write(`chaos ${mode}, seed ${seed}, ${new Date().toISOString()}, ${machine.cpuModel} × ${machine.cpus}, Node ${process.version}; Postgres ${redactUrl(base.toString())}\n`);

  const results: RunResult[] = [];
  for (const id of only) {
    for (const store of stores) {
      const fault = FAULTS[id]!(mode);
      process.stdout.write(`-- ${fault.name} × ${store.name} …\n`);
      let result: RunResult;
      try {
        result = await runOne(fault, store, { workload: WORKLOAD[mode], settleTimeoutMs: mode === 'quick' ? 90_000 : 180_000, seed }, (s) => process.stdout.write(`${s}\n`));
      } catch (error) {
        process.stdout.write(`!! ${fault.name} × ${store.name} broke: ${(error as Error).stack ?? error}\n${(error as { output?: string }).output ?? ''}\n`);
        return 1;
      }
      results.push(result);
      process.stdout.write(runTable(result) + '\n');
    }
  }
  process.stdout.write(`== summary (${mode}, seed ${seed})\n${summaryTable(results)}`);
  const failed = results.filter((r) => !passed(r));
  if (failed.length > 0) process.stdout.write(`!! invariants broken in: ${failed.map((r) => `${r.fault} × ${r.store}`).join('; ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
