/**
 * Scenario 3, fan-out (and 4, idle memory): many conversations at once against a slow Hermes.
 *
 * N conversations × 3 messages. Every conversation's first message arrives at once (a burst); each
 * customer writes the next message as soon as the bot starts "typing" its reply to the previous one,
 * i.e. while Hermes is still thinking — so a message always waits behind a running turn of its own
 * conversation, which is exactly where a scheduler could reorder, duplicate or drop. Every message
 * needs its own turn (3 per conversation), Hermes takes `hermesMs` per turn, and at most
 * MAX_CONCURRENT_TURNS run at once, so with perfect scheduling the whole thing takes
 *   ideal = max(turns × hermesMs / maxConcurrent, 3 × hermesMs).
 * Measured: first webhook sent → last reply posted; replies missing, duplicated, out of order or in
 * the wrong conversation; Hermes' peak concurrency; the app's RSS (VmHWM = its peak).
 */
import { performance } from 'node:perf_hooks';
import { startBot } from '../lib/bot.js';
import { conversationCall, SECRET, startFakes } from '../lib/fakes.js';
import { ConnectionPool } from '../lib/http-load.js';
import { BackgroundMeter, shares } from '../lib/machine.js';
import { freePort, type AppEntry } from '../lib/processes.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import type { StoreSpec } from '../lib/stores.js';
import { classifyAck, taggedText, tagsIn, WebhookFactory } from '../lib/webhooks.js';

export interface FanoutProfile {
  conversations: number;
  messagesPerConversation: number;
  hermesMs: number;
  maxConcurrentTurns: number;
  /** OpenAPI validation of the bot's Chatwoot calls (cheap enough to keep on). */
  validate: boolean;
  /** How long to wait after the last reply before reading the drained RSS. */
  settleMs: number;
}

export interface FanoutResult {
  conversations: number;
  messages: number;
  turns: number;
  totalMs: number;
  idealMs: number;
  /** totalMs / idealMs */
  vsIdeal: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  /** Replies carrying another conversation's tag (must never happen). */
  misrouted: number;
  /** Hand-offs, private notes: turns that did not end in a normal reply. */
  handoffs: number;
  hermesPeakConcurrent: number;
  /** Hermes answered 429 (the bot ran more turns at once than allowed). */
  hermes429: number;
  /** Customer message → its reply posted, ms (includes waiting for a turn slot). */
  replyLatency: LatencySummary;
  /** Acks of the customers' webhooks during the fan-out, ms (from the request leaving one of the 32 connections). */
  ack: LatencySummary;
  ackErrors: number;
  /** App RSS, MiB: right after start, peak (VmHWM), and after the fan-out drained. */
  rssStartMb: number;
  rssPeakMb: number;
  rssDrainedMb: number;
  /** App RSS (MiB) once a second from the first webhook to the last reply: [seconds, MiB]. */
  rssTimeline: Array<[number, number]>;
  contractViolations: string[];
  backgroundCpuPct: number;
  kernelCpuPct: number;
  databaseCpuPct: number;
  /** Bench process CPU over the run, % of one core (fakes + customers). */
  benchCpuPct: number;
  /** App CPU over the run, ms per turn. */
  appCpuMsPerTurn: number;
}

const CONVERSATION_BASE = 100_000;

export async function runFanout(o: { store: StoreSpec; entry: AppEntry; logLevel: string; appRoot?: string }, p: FanoutProfile, log: (s: string) => void): Promise<FanoutResult> {
  const port = await freePort();
  const fakes = await startFakes({
    echoTo: `http://127.0.0.1:${port}/chatwoot/webhook`,
    validate: p.validate,
    hermesDelayMs: p.hermesMs,
    hermesMaxRuns: p.maxConcurrentTurns,
  });
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
      env: { DEBOUNCE_MS: '0', DEBOUNCE_MAX_MS: '0', MAX_CONCURRENT_TURNS: String(p.maxConcurrentTurns), HERMES_TIMEOUT_MS: String(Math.max(60_000, p.hermesMs * 20)) },
    });
  } catch (error) {
    await fakes.close();
    throw error;
  }
  await new Promise((r) => setTimeout(r, 500));
  const rssStartMb = bot.proc.memory().rssMb;

  const n = p.conversations;
  const per = p.messagesPerConversation;
  const total = n * per;
  const factory = new WebhookFactory(port, SECRET);
  const pool = new ConnectionPool(port);
  const sentAt = new Map<string, number>(); // "conv/seq" → when the customer sent it
  const sentCount = new Map<number, number>();
  const repliesByConversation = new Map<number, number[]>(); // seqs in posting order
  const replyLatency: number[] = [];
  const ack: number[] = [];
  let ackErrors = 0;
  let misrouted = 0;
  let handoffs = 0;
  let replies = 0;
  let lastReplyAt = 0;
  let allReplied: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReplied = resolve));

  const send = (conversationId: number) => {
    const seq = (sentCount.get(conversationId) ?? 0) + 1;
    if (seq > per) return;
    sentCount.set(conversationId, seq);
    const bytes = factory.request({ conversationId, messageId: conversationId * 10 + seq, text: taggedText(conversationId, seq) });
    const t = performance.now();
    sentAt.set(`${conversationId}/${seq}`, t);
    pool.request(bytes).then(
      (res) => {
        ack.push(performance.now() - res.sentAt);
        if (!classifyAck(res).ok) ackErrors++;
      },
      () => {
        ackErrors++;
      },
    );
  };

  fakes.onChatwoot((r, at) => {
    const call = conversationCall(r.path);
    if (!call || r.method !== 'POST') return;
    if (call.tail === '/toggle_typing_status' && r.body?.typing_status === 'on') {
      // The customer adds a message while the bot is typing.
      send(call.conversationId);
    } else if (call.tail === '/messages') {
      if (r.body?.private === true) {
        handoffs++;
        return;
      }
      for (const tag of tagsIn(String(r.body?.content ?? ''))) {
        if (tag.conversationId !== call.conversationId) misrouted++;
        const list = repliesByConversation.get(call.conversationId) ?? [];
        list.push(tag.seq);
        repliesByConversation.set(call.conversationId, list);
        const sent = sentAt.get(`${tag.conversationId}/${tag.seq}`);
        if (sent !== undefined) replyLatency.push(at - sent);
        replies++;
        lastReplyAt = at;
      }
      if (replies >= total) allReplied();
    } else if (call.tail === '/toggle_status') {
      handoffs++;
    }
  });

  const cpu0 = bot.proc.cpuMs();
  const bench0 = process.cpuUsage();
  const background = new BackgroundMeter([() => bot.proc.cpuMs()], [bot.proc.pid], o.store.databaseName);
  const idealMs = Math.max((total * p.hermesMs) / p.maxConcurrentTurns, per * p.hermesMs);
  const t0 = performance.now();
  const rssTimeline: Array<[number, number]> = [];
  const sampler = setInterval(() => {
    try {
      rssTimeline.push([Math.round((performance.now() - t0) / 100) / 10, bot.proc.memory().rssMb]);
    } catch {
      /* exited */
    }
  }, 1000);
  for (let c = 0; c < n; c++) send(CONVERSATION_BASE + c);
  const timeoutMs = idealMs * 3 + 30_000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  clearInterval(sampler);
  const wall = performance.now() - t0;
  const totalMs = (lastReplyAt || performance.now()) - t0;
  const appCpu = bot.proc.cpuMs() - cpu0;
  const bench = process.cpuUsage(bench0);
  const cpuShares = shares(background);

  // Drain: every turn has ended (typing off follows each), then let the process settle.
  await new Promise((r) => setTimeout(r, p.settleMs));
  const mem = bot.proc.memory();
  pool.close();
  await bot.stop();
  const contractViolations = fakes.chatwoot.violations();
  const hermes429 = fakes.hermes.completions().filter((c) => c.status === 429).length;
  const hermesPeakConcurrent = fakes.hermes.peakConcurrentRuns;
  const turns = fakes.hermes.runs;
  await fakes.close();

  let missing = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (let c = 0; c < n; c++) {
    const id = CONVERSATION_BASE + c;
    const seqs = repliesByConversation.get(id) ?? [];
    const seen = new Set<number>();
    for (const s of seqs) {
      if (seen.has(s)) duplicated++;
      seen.add(s);
    }
    for (let s = 1; s <= per; s++) if (!seen.has(s)) missing++;
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! < seqs[i - 1]!) outOfOrder++;
  }

  const result: FanoutResult = {
    conversations: n,
    messages: total,
    turns,
    totalMs: Math.round(totalMs),
    idealMs: Math.round(idealMs),
    vsIdeal: Math.round((totalMs / idealMs) * 1000) / 1000,
    missing,
    duplicated,
    outOfOrder,
    misrouted,
    handoffs,
    hermesPeakConcurrent,
    hermes429,
    replyLatency: summarize(replyLatency),
    ack: summarize(ack),
    ackErrors,
    rssStartMb,
    rssPeakMb: mem.peakMb,
    rssDrainedMb: mem.rssMb,
    rssTimeline,
    contractViolations,
    ...cpuShares,
    benchCpuPct: Math.round(((bench.user + bench.system) / 1000 / wall) * 100),
    appCpuMsPerTurn: turns ? Math.round((appCpu / turns) * 1000) / 1000 : NaN,
  };
  log(
    `  bot (${o.store.name}) fan-out ${n}×${per}: ${(totalMs / 1000).toFixed(1)} s vs ideal ${(idealMs / 1000).toFixed(1)} s (${result.vsIdeal}×), ` +
      `missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}, misrouted ${misrouted}, hand-offs ${handoffs}, ` +
      `Hermes peak ${hermesPeakConcurrent}, RSS ${rssStartMb} → peak ${mem.peakMb} → drained ${mem.rssMb} MiB, other load ${cpuShares.backgroundCpuPct}%`,
  );
  return result;
}
