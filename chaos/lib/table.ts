/** The suite's output: one table per fault × store, and a summary matrix (the README's). */
import { INVARIANT_NAMES, type Invariants } from './invariants.js';
import type { RunResult } from './harness.js';

/** Everything that must be 0 in a run: the invariants, plus crashes and API contract breaks. */
export function mustBeZero(r: RunResult): Array<[string, number]> {
  if (!r.invariants) return [];
  const rows = (Object.keys(INVARIANT_NAMES) as Array<keyof Invariants>).map((k) => [INVARIANT_NAMES[k], r.invariants![k]] as [string, number]);
  rows.push(['bot processes that died on their own', r.unplannedExits ?? 0], ['requests breaking Chatwoot API contract', r.contractViolations ?? 0]);
  rows.push(...(r.faultMustBeZero ?? []));
  if (r.answersOverBudget) rows.push([`webhooks answered after ${r.answersOverBudget.budgetMs / 1000} s or not at all`, r.answersOverBudget.count]);
  return rows;
}

export function passed(r: RunResult): boolean {
  return r.skipped !== undefined || mustBeZero(r).every(([, v]) => v === 0);
}

export function runTable(r: RunResult): string {
  if (r.skipped) return `== ${r.fault} × ${r.store}: SKIPPED (${r.skipped})\n`;
  const f = r.figures!;
  const lines = [`== ${r.fault} × ${r.store} (${r.seconds} s)`, '| must be 0 | count |', '|---|---:|'];
  for (const [name, v] of mustBeZero(r)) lines.push(`| ${name} | ${v}${v === 0 ? '' : '  ✗'} |`);
  lines.push('| **figures** | |');
  lines.push(`| customer messages | ${f.messages} |`, `| answered | ${f.answered} |`, `| in conversations the bot handed off | ${f.handedOff} |`);
  lines.push(`| in conversations a human took over | ${f.takenOver} |`, `| sent to conversations no longer the bot's | ${f.notTheBots} |`);
  lines.push(`| in conversations Chatwoot opened after its last retry (not a loss) | ${f.openedByChatwoot} |`);
  lines.push(`| webhook answer p50 / p99 / max (ms) | ${r.acks!.p50} / ${r.acks!.p99} / ${r.acks!.max} |`);
  for (const [k, v] of Object.entries(r.extra ?? {})) if (!r.faultMustBeZero?.some(([name]) => name === k)) lines.push(`| ${k} | ${v} |`);
  if (r.examples?.length) lines.push(`| messages neither answered nor handed off, e.g. | ${r.examples.join(' ')} |`);
  return lines.join('\n') + '\n';
}

/** One line per run: every must-be-0 count summed, and the figures that matter. */
export function summaryTable(results: RunResult[]): string {
  const lines = [
    '| fault | store | invariants (sum, must be 0) | messages | answered | handed off | taken over | opened by Chatwoot | ack p99 / max (ms) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.skipped) {
      lines.push(`| ${r.fault} | ${r.store} | skipped: ${r.skipped} | | | | | | |`);
      continue;
    }
    const bad = mustBeZero(r).reduce((n, [, v]) => n + v, 0);
    const f = r.figures!;
    lines.push(`| ${r.fault} | ${r.store} | ${bad}${bad === 0 ? '' : ' ✗'} | ${f.messages} | ${f.answered} | ${f.handedOff} | ${f.takenOver} | ${f.openedByChatwoot} | ${r.acks!.p99} / ${r.acks!.max} |`);
  }
  return lines.join('\n') + '\n';
}
