/** The stdout table: every figure of the JSON, readable side by side with its target. */
import type { AckPhase, AckResult } from '../scenarios/ack.js';
import type { BenchResults, StoreRun } from './results.js';

export function renderReport(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  const p = r.profile;
  lines.push(`chatwoot-hermes-bot · npm run bench${r.mode === 'quick' ? ' -- --quick' : ''} · ${r.startedAt} · ${r.durationS} s`);
  lines.push(
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} ${m.kernel}; fsync p50 ${m.fsync.p50} ms, p99 ${m.fsync.p99} ms; ` +
      `app: ${r.app.command}, LOG_LEVEL=${r.app.logLevel}; other CPU load before start ${r.backgroundBeforeStartPct}% of a core` +
      (r.git.commit ? `; commit ${r.git.commit.slice(0, 10)}${r.git.dirty ? ' + local changes' : ''}` : ''),
  );
  lines.push('');

  // 1. Ack
  lines.push(
    `1. Ack — signed message_created webhooks over ${p.ack.conversations} conversations, keep-alive connections; ` +
      `fixed rates for ${p.ack.phaseMs / 1000} s each (latency from the scheduled send time), then flat out (${p.ack.flatConnections} connections, ${p.ack.flatMs / 1000} s; ` +
      `for a bot in ${p.ack.flatRounds} rounds alternating with the bare handler — "paired" — which gives the ratio).`,
  );
  const ackRows: string[][] = [['server', 'offered', 'achieved', 'p50 ms', 'p99 ms', 'max ms', '>5 s', 'errors', 'app CPU/req', 'kernel', 'database', 'other load', 'vs bare']];
  const addAck = (name: string, a: AckResult | null | undefined, ratio?: number) => {
    if (!a) return;
    for (const ph of a.phases) ackRows.push(ackRow(name, ph, ph.offered === null && ratio !== undefined ? `${ratio.toFixed(2)}×` : ''));
    if (a.bareFlat) ackRows.push(ackRow('  bare Koa, paired', a.bareFlat, '1×'));
  };
  addAck('bare Koa', r.bare);
  for (const s of r.stores) {
    if (!s.available) ackRows.push([`bot (${s.store})`, `not available: ${s.reason ?? ''}`]);
    else if (s.ack) addAck(`bot (${s.store})`, s.ack, s.flatRatio);
    else ackRows.push([`bot (${s.store})`, 'did not run']);
  }
  lines.push(...table(ackRows));
  lines.push('  (CPU columns: the app process per request; kernel threads (journal, writeback) and our Postgres backends in % of one core; other load = everything else on the machine, i.e. noise.)');
  lines.push('');

  // 2. Overhead
  lines.push(`2. Overhead — one message at a time, instant fake Hermes and Chatwoot, DEBOUNCE_MS=0: webhook sent → reply POST received (${p.overhead.samples} turns over ${p.overhead.conversations} conversations).`);
  const oRows: string[][] = [['store', 'turns', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ack p50 ms', 'ack p99 ms', '→ Hermes', '→ live check', '→ POST', 'failures', 'other load']];
  for (const s of r.stores) {
    const o = s.overhead;
    if (!s.available) oRows.push([s.store, 'not available']);
    else if (!o) oRows.push([s.store, 'did not run']);
    else
      oRows.push([
        s.store,
        String(o.samples),
        n(o.toReply.p50),
        n(o.toReply.p90),
        n(o.toReply.p99),
        n(o.toReply.max),
        n(o.ack.p50),
        n(o.ack.p99),
        n(o.stages.toHermes.p50),
        n(o.stages.hermesToLiveCheck.p50),
        n(o.stages.liveCheckToPost.p50),
        String(o.failures),
        `${o.backgroundCpuPct}%`,
      ]);
  }
  lines.push(...table(oRows));
  lines.push('  (stages, p50 ms: webhook sent → Hermes called (intake, scheduling, taking the turn) → live status read (Hermes answer, guards, reply planned) → reply POST (status check, `posting` mark).)');
  lines.push('');

  // 3. Fan-out
  const f = p.fanout;
  lines.push(
    `3. Fan-out — ${f.conversations} conversations × ${f.messagesPerConversation} messages (each sent while the bot types the previous answer), ` +
      `fake Hermes ${f.hermesMs / 1000} s per turn, MAX_CONCURRENT_TURNS=${f.maxConcurrentTurns}; ideal = turns × ${f.hermesMs / 1000} s / ${f.maxConcurrentTurns}.`,
  );
  const fRows: string[][] = [['store', 'turns', 'total s', 'ideal s', '× ideal', 'missing', 'dup', 'order', 'misrouted', 'hand-offs', 'Hermes peak', 'reply p50/p99 s', 'ack p99 ms', 'CPU/turn', 'peak RSS', 'other load']];
  for (const s of r.stores) {
    const x = s.fanout;
    if (!s.available) fRows.push([s.store, 'not available']);
    else if (!x) fRows.push([s.store, 'did not run']);
    else
      fRows.push([
        s.store,
        String(x.turns),
        (x.totalMs / 1000).toFixed(1),
        (x.idealMs / 1000).toFixed(1),
        x.vsIdeal.toFixed(3),
        String(x.missing),
        String(x.duplicated),
        String(x.outOfOrder),
        String(x.misrouted),
        String(x.handoffs),
        String(x.hermesPeakConcurrent),
        `${(x.replyLatency.p50 / 1000).toFixed(2)} / ${(x.replyLatency.p99 / 1000).toFixed(2)}`,
        n(x.ack.p99),
        `${x.appCpuMsPerTurn.toFixed(2)} ms`,
        `${x.rssPeakMb} MiB`,
        `${x.backgroundCpuPct}%`,
      ]);
  }
  lines.push(...table(fRows));
  lines.push('');

  // 4. Idle
  lines.push('4. Memory — the app process (RSS, MiB): right after start, the peak during the fan-out (VmHWM), and after the fan-out drained.');
  const iRows: string[][] = [['store', 'after start', 'peak', 'after drain']];
  for (const s of r.stores) {
    const x = s.fanout;
    if (s.available && x) iRows.push([s.store, String(x.rssStartMb), String(x.rssPeakMb), String(x.rssDrainedMb)]);
  }
  lines.push(...table(iRows));
  lines.push('');

  // 5. Mixed
  const mx = p.mixed;
  lines.push(
    `5. Mixed — ${mx.rate} signed customer webhooks/s for ${mx.durationMs / 1000} s over ${mx.conversations} conversations, instant fake Hermes, ` +
      `Chatwoot echoing every reply back, DEBOUNCE_MS=0, MAX_CONCURRENT_TURNS=${mx.maxConcurrentTurns}: acks while turns saturate the app, then every message answered once? ` +
      (mx.warmup
        ? `Before it, the bot served ${mx.warmup.rate}/s for ${mx.warmup.durationMs / 1000} s over ${mx.warmup.conversations} other conversations, then nothing for ${mx.warmup.quietMs / 1000} s.`
        : 'No warm-up: the burst meets a process just started (--mixed-cold).'),
  );
  const mRows: string[][] = [['store', 'messages', 'ack p50 ms', 'ack p99 ms', 'ack max ms', '>5 s', 'answered once', 'lost', 'opened by Chatwoot', 'dup', 'order', 'misrouted', 'hand-offs', 'echo failed', 'turns', 'drain s', 'app CPU', 'other load']];
  for (const s of r.stores) {
    const x = s.mixed;
    if (!s.available) mRows.push([s.store, 'not available']);
    else if (!x) mRows.push([s.store, 'did not run']);
    else
      mRows.push([
        s.store,
        String(x.messages),
        n(x.ack.p50),
        n(x.ack.p99),
        n(x.ack.max),
        String(x.ackOver5s),
        String(x.answeredOnce),
        String(x.lost),
        String(x.unansweredOpened),
        String(x.duplicated),
        String(x.outOfOrder),
        String(x.misrouted),
        String(x.handoffs),
        String(x.echoFailures),
        String(x.turns),
        (x.drainMs / 1000).toFixed(1),
        `${x.appCpuPct}%`,
        `${x.backgroundCpuPct}%`,
      ]);
  }
  lines.push(...table(mRows));
  lines.push('  (opened by Chatwoot: messages left unanswered because an echo delivery failed and Chatwoot opened the conversation for the team; drain: last webhook sent → last reply posted; turns: Hermes calls — a turn answers every message that waited for it.)');
  lines.push('');

  // Targets
  lines.push(`Targets${r.mode === 'quick' ? ' (quick mode: a small run on a possibly busy machine — indicative only; misses do not fail it)' : ''}:`);
  const tRows: string[][] = [];
  for (const t of r.targets) tRows.push([t.pass ? 'PASS' : 'MISS', t.store, t.what, `${n(t.value)}${t.unit ? ` ${t.unit}` : ''}`, t.limit]);
  lines.push(...table(tRows, ['l', 'l', 'l', 'r', 'l']).map((l) => `  ${l}`));
  const misses = r.targets.filter((t) => !t.pass);
  if (misses.length) lines.push(`  ${misses.length} target(s) missed.`);
  for (const s of r.stores) if (!s.available) lines.push(`  ${s.store}: not available in this build (${s.reason ?? 'no reason given'})`);
  lines.push('');
  if (r.problems.length) {
    lines.push('BROKEN RUN:');
    for (const pr of r.problems) lines.push(`  - ${pr}`);
  } else lines.push('The run itself was clean: every webhook accepted, every reply delivered once and in order, no contract violation.');
  return lines.join('\n');
}

function ackRow(name: string, ph: AckPhase, ratio: string): string[] {
  return [
    name,
    ph.offered === null ? `flat ×${ph.connections}` : `${ph.offered}/s`,
    `${Math.round(ph.throughput)}/s`,
    n(ph.latency.p50),
    n(ph.latency.p99),
    n(ph.latency.max),
    String(ph.over5s),
    String(ph.errors),
    `${ph.serverCpuMsPerReq.toFixed(3)} ms`,
    `${ph.kernelCpuPct}%`,
    ph.databaseCpuPct ? `${ph.databaseCpuPct}%` : '–',
    `${ph.backgroundCpuPct}%`,
    ratio,
  ];
}

function n(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return String(Math.round(v));
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Columns padded to their widest cell: left-aligned where `align` says 'l' (default: the first), else right. Short rows (a message) are left as they are. */
export function table(rows: string[][], align: Array<'l' | 'r'> = ['l']): string[] {
  const widths: number[] = [];
  for (const row of rows) if (row.length > 2) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => {
    if (row.length <= 2) return row.join('  ');
    return row
      .map((c, i) => ((align[i] ?? 'r') === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  });
}

export type { StoreRun };
