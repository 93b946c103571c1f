/**
 * Scenario 5, mixed (issue 13): acks while turns run. Signed customer messages at a fixed rate
 * (500/s) across many conversations (500: each writes once a second), with instant fakes — Hermes
 * answers at once, Chatwoot echoes every reply back as a signed `message_created` webhook of the bot's
 * own outgoing message, as real Chatwoot does — and DEBOUNCE_MS=0, so every message asks for a turn.
 * That is more turn work than one core can do: the question is whether webhooks are still
 * acknowledged promptly (Chatwoot gives 5 s, then opens the conversation for the team) while turns
 * queue, and whether every message is still answered exactly once, in order, once the load stops.
 *
 * Before the burst the bot has been serving (the warm-up): light traffic over other conversations,
 * every message answered, then a quiet spell longer than the Postgres pools' 30 s idle timeout — a
 * campaign meets a process that has been running, not one that started a second ago. A process that
 * meets the burst right after its start (`--mixed-cold`) runs its first second unoptimised (V8 has not
 * compiled the hot paths yet) and is reported apart in the README.
 *
 * Measured: ack latency from each webhook's scheduled send time (open loop: a stall is charged to
 * every webhook due during it), then, after the last webhook, the wait until every message's tag came
 * back in a reply (waiting while replies keep coming): lost (never answered), answered more than once,
 * out of order, misrouted, hand-offs, echo deliveries that failed — after which Chatwoot opens the
 * conversation for the team and the bot rightly stops answering it (counted apart, not as lost).
 */
import { performance } from 'node:perf_hooks';
import { startBot } from '../lib/bot.js';
import { conversationCall, SECRET, startFakes } from '../lib/fakes.js';
import { openLoop, type LoadTarget } from '../lib/http-load.js';
import { BackgroundMeter, shares } from '../lib/machine.js';
import { freePort, type AppEntry } from '../lib/processes.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import type { StoreSpec } from '../lib/stores.js';
import { classifyAck, taggedText, tagsIn, WebhookFactory } from '../lib/webhooks.js';

export interface MixedWarmup {
  /** Webhooks per second, for durationMs, over this many conversations other than the measured ones. */
  rate: number;
  durationMs: number;
  conversations: number;
  /** Then no traffic for this long before the burst. */
  quietMs: number;
}

export interface MixedProfile {
  /** What the bot served before the burst; null: the burst meets a process just started. */
  warmup: MixedWarmup | null;
  /** Customer webhooks per second. */
  rate: number;
  durationMs: number;
  conversations: number;
  maxConcurrentTurns: number;
  /** OpenAPI validation of the bot's Chatwoot calls (costs the bench process CPU at this rate). */
  validate: boolean;
  /** After the last webhook, replies are awaited while they keep coming: until none came for this long… */
  drainIdleMs: number;
  /** …or this long in all. */
  drainTimeoutMs: number;
}

export interface MixedResult {
  messages: number;
  /** Customer webhooks: ack latency from the scheduled send time, ms. */
  ack: LatencySummary;
  ackOver5s: number;
  ackErrors: number;
  /** Messages answered exactly once. */
  answeredOnce: number;
  /** Messages never answered while their conversation stayed with the bot (replies stopped coming, or the drain timed out). */
  lost: number;
  /** Messages never answered in conversations Chatwoot opened for the team after an echo's delivery failed: a figure, not a loss. */
  unansweredOpened: number;
  /** Extra replies carrying a message already answered. */
  duplicated: number;
  outOfOrder: number;
  misrouted: number;
  handoffs: number;
  /** Echo webhooks (the bot's own replies, sent back by Chatwoot) that failed for good. */
  echoFailures: number;
  /** Hermes calls: how many turns the messages took (fewer than messages: a turn answers all that waited). */
  turns: number;
  /** Last webhook sent → last reply posted, ms (the backlog of turns draining). */
  drainMs: number;
  /** Customer message → its reply, ms. */
  replyLatency: LatencySummary;
  appCpuPct: number;
  benchCpuPct: number;
  backgroundCpuPct: number;
  kernelCpuPct: number;
  databaseCpuPct: number;
  contractViolations: string[];
  rssPeakMb: number;
}

const CONVERSATION_BASE = 200_000;
/** The warm-up's conversations: apart from the measured ones, and left out of every figure. */
const WARMUP_BASE = 900_000;

export async function runMixed(o: { store: StoreSpec; entry: AppEntry; logLevel: string; appRoot?: string }, p: MixedProfile, log: (s: string) => void): Promise<MixedResult> {
  const port = await freePort();
  const fakes = await startFakes({ echoTo: `http://127.0.0.1:${port}/chatwoot/webhook`, validate: p.validate, hermesDelayMs: 0 });
  let bot;
  try {
    bot = await startBot({
      store: o.store,
      entry: o.entry,
      ...(o.appRoot ? { appRoot: o.appRoot } : {}),
      port,
      chatwootUrl: fakes.chatwoot.url,
      hermesUrl: fakes.hermes.url,
      logLevel: o.logLevel,
      env: { DEBOUNCE_MS: '0', DEBOUNCE_MAX_MS: '0', MAX_CONCURRENT_TURNS: String(p.maxConcurrentTurns) },
    });
  } catch (error) {
    await fakes.close();
    throw error;
  }
  await new Promise((r) => setTimeout(r, 300));

  const total = Math.round((p.rate * p.durationMs) / 1000);
  const factory = new WebhookFactory(port, SECRET);
  const sentAt = new Map<string, number>();
  const replies = new Map<number, number[]>(); // conversation → seqs in posting order
  const replyLatency: number[] = [];
  let answered = 0;
  let misrouted = 0;
  let handoffs = 0;
  let lastReplyAt = 0;
  let allAnswered: () => void = () => {};
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const answeredSet = new Set<string>();

  const target = roundRobin(port, factory, { base: CONVERSATION_BASE, conversations: p.conversations }, (id) => sentAt.set(id, performance.now()));

  let warmupAnswered = 0;
  fakes.onChatwoot((r, at) => {
    const call = conversationCall(r.path);
    if (!call || r.method !== 'POST') return;
    if (call.conversationId >= WARMUP_BASE) {
      if (call.tail === '/messages' && r.body?.private !== true) warmupAnswered += tagsIn(String(r.body?.content ?? '')).length;
      return;
    }
    if (call.tail === '/messages') {
      if (r.body?.private === true) {
        handoffs++;
        return;
      }
      for (const tag of tagsIn(String(r.body?.content ?? ''))) {
        if (tag.conversationId !== call.conversationId) misrouted++;
        const list = replies.get(call.conversationId) ?? [];
        list.push(tag.seq);
        replies.set(call.conversationId, list);
        const id = `${tag.conversationId}/${tag.seq}`;
        const sent = sentAt.get(id);
        if (sent !== undefined) replyLatency.push(at - sent);
        lastReplyAt = at;
        if (!answeredSet.has(id)) {
          answeredSet.add(id);
          answered++;
        }
      }
      if (answered >= total) allAnswered();
    } else if (call.tail === '/toggle_status') {
      handoffs++;
    }
  });

  const warmUp = async (w: MixedWarmup) => {
    const warm = await openLoop(roundRobin(port, factory, { base: WARMUP_BASE, conversations: w.conversations }), { rate: w.rate, durationMs: w.durationMs });
    const sent = warm.sent;
    const until = performance.now() + p.drainTimeoutMs;
    while (warmupAnswered < sent && performance.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (warm.errors > 0 || warmupAnswered < sent) throw new Error(`the warm-up did not complete: ${warm.errors} webhook errors, ${warmupAnswered} of ${sent} messages answered`);
    log(`  warm-up: ${sent} messages over ${w.conversations} conversations answered; quiet for ${w.quietMs / 1000} s`);
    await new Promise((r) => setTimeout(r, w.quietMs));
  };

  // Whatever fails mid-run, the app is stopped and its store released (a Postgres schema is dropped).
  const measure = async () => {
    if (p.warmup) await warmUp(p.warmup);
    const runs0 = fakes.hermes.runs;
    const echoes0 = fakes.chatwoot.echoes.length;
    const cpu0 = bot.proc.cpuMs();
    const bench0 = process.cpuUsage();
    const background = new BackgroundMeter([() => bot.proc.cpuMs()], [bot.proc.pid], o.store.databaseName);
    const t0 = performance.now();
    const phase = await openLoop(target, { rate: p.rate, durationMs: p.durationMs, graceMs: p.drainTimeoutMs });
    const sendEnd = t0 + p.durationMs;
    // A starved app drains its backlog slowly but surely: wait while replies keep coming, not a fixed time.
    const drainStart = performance.now();
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && performance.now() - drainStart < p.drainTimeoutMs && performance.now() - Math.max(lastReplyAt, drainStart) < p.drainIdleMs) {
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!bot.proc.running) {
      const exit = await bot.proc.exited;
      // Not a StartError: run.ts would take that for "postgres not available in this build".
      throw new Error(`the app exited during the run (${exit.code ?? exit.signal}); its last output:\n${bot.proc.output().slice(-1500)}`);
    }
    const wall = performance.now() - t0;
    const appCpu = bot.proc.cpuMs() - cpu0;
    const bench = process.cpuUsage(bench0);
    const cpuShares = shares(background);
    await new Promise((r) => setTimeout(r, 500)); // late duplicates would show here
    const mem = bot.proc.memory();
    return { phase, sendEnd, wall, appCpu, bench, cpuShares, mem, runs0, echoes0 };
  };
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    measured = await measure();
  } catch (error) {
    await bot.stop().catch(() => undefined);
    await fakes.close().catch(() => undefined);
    throw error;
  }
  const { phase, sendEnd, wall, appCpu, bench, cpuShares, mem, runs0, echoes0 } = measured;
  await bot.stop();
  const contractViolations = fakes.chatwoot.violations();
  const turns = fakes.hermes.runs - runs0;
  const echoes = fakes.chatwoot.echoes.slice(echoes0);
  const echoFailures = echoes.filter((d) => d.outcome === 'failed').length;
  const opened = new Set(echoes.filter((d) => d.openedConversation).map((d) => d.conversationId));
  await fakes.close();

  let answeredOnce = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let lost = 0;
  let unansweredOpened = 0;
  for (let c = 0; c < p.conversations; c++) {
    const id = CONVERSATION_BASE + c;
    const seqs = replies.get(id) ?? [];
    const counts = new Map<number, number>();
    for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const n of counts.values()) if (n > 1) duplicated += n - 1;
    for (let k = 1; k < seqs.length; k++) if (seqs[k]! < seqs[k - 1]!) outOfOrder++;
    const sentHere = Math.floor(total / p.conversations) + (c < total % p.conversations ? 1 : 0);
    for (let s = 1; s <= sentHere; s++) {
      const n = counts.get(s) ?? 0;
      if (n === 1) answeredOnce++;
      if (n === 0 && opened.has(id)) unansweredOpened++;
      else if (n === 0) lost++;
    }
  }

  const result: MixedResult = {
    messages: total,
    ack: phase.latency,
    ackOver5s: phase.over5s,
    ackErrors: phase.errors,
    answeredOnce,
    lost,
    unansweredOpened,
    duplicated,
    outOfOrder,
    misrouted,
    handoffs,
    echoFailures,
    turns,
    drainMs: Math.round(Math.max(0, lastReplyAt - sendEnd)),
    replyLatency: summarize(replyLatency),
    appCpuPct: Math.round((appCpu / wall) * 100),
    benchCpuPct: Math.round(((bench.user + bench.system) / 1000 / wall) * 100),
    ...cpuShares,
    contractViolations,
    rssPeakMb: mem.peakMb,
  };
  log(
    `  bot (${o.store.name}) mixed ${p.rate}/s × ${p.durationMs / 1000} s over ${p.conversations} conversations, MAX_CONCURRENT_TURNS=${p.maxConcurrentTurns}: ` +
      `ack p50 ${phase.latency.p50} ms, p99 ${phase.latency.p99} ms, max ${phase.latency.max} ms, >5 s ${phase.over5s}, errors ${phase.errors}; ` +
      `answered once ${answeredOnce}/${total}, lost ${lost}, unanswered in conversations Chatwoot opened ${unansweredOpened}, duplicated ${duplicated}, out of order ${outOfOrder}, misrouted ${misrouted}, hand-offs ${handoffs}, echo failures ${echoFailures}; ` +
      `${turns} turns, drained ${(result.drainMs / 1000).toFixed(1)} s after the last webhook; app CPU ${result.appCpuPct}%, bench ${result.benchCpuPct}%, other load ${cpuShares.backgroundCpuPct}%`,
  );
  return result;
}

/**
 * Customer messages round the conversations: message i goes to conversation base + i mod N, as its
 * (i div N + 1)-th message, so each conversation writes once every N/rate s. `sent` hears each
 * message's "conversation/seq" id as it goes out.
 */
function roundRobin(port: number, factory: WebhookFactory, to: { base: number; conversations: number }, sent?: (id: string) => void): LoadTarget {
  let i = 0;
  return {
    port,
    next: () => {
      const conversationId = to.base + (i % to.conversations);
      const seq = Math.floor(i / to.conversations) + 1;
      i++;
      sent?.(`${conversationId}/${seq}`);
      return factory.request({ conversationId, messageId: conversationId * 1000 + seq, text: taggedText(conversationId, seq) });
    },
    classify: classifyAck,
  };
}
