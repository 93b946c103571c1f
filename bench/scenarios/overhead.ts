/**
 * Scenario 2, overhead: what the bot adds to a turn. Instant fake Hermes and Chatwoot, debounce 0,
 * one message at a time: the time from sending the webhook to the moment the reply's POST reaches
 * Chatwoot. Everything in between is the bot (intake, store writes with their fsyncs, scheduler,
 * Hermes call, guards, the live-status check, the post) plus loopback round trips.
 *
 * Conversations rotate over a pool, so the samples mix first turns (a new Hermes session) and
 * follow-ups (guards compare with the bot's earlier replies), as real traffic does. Each sample waits
 * for its turn to end completely (typing off) before the next starts.
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

export interface OverheadProfile {
  samples: number;
  conversations: number;
}

export interface OverheadResult {
  samples: number;
  /** Webhook sent → reply POST arrived at Chatwoot, ms. */
  toReply: LatencySummary;
  /** Webhook sent → 200 received, ms (the same webhooks). */
  ack: LatencySummary;
  /** Where the time goes (p50 of each stage, ms): webhook sent → Hermes called → live status read → reply posted. */
  stages: { toHermes: LatencySummary; hermesToLiveCheck: LatencySummary; liveCheckToPost: LatencySummary };
  /** Samples whose reply did not come within 5 s, or came wrong. */
  failures: number;
  contractViolations: string[];
  backgroundCpuPct: number;
  kernelCpuPct: number;
  databaseCpuPct: number;
}

const CONVERSATION_BASE = 50_000;

export async function runOverhead(o: { store: StoreSpec; entry: AppEntry; logLevel: string; appRoot?: string }, p: OverheadProfile, log: (s: string) => void): Promise<OverheadResult> {
  const port = await freePort();
  const fakes = await startFakes({ echoTo: `http://127.0.0.1:${port}/chatwoot/webhook`, validate: true, hermesDelayMs: 0 });
  const waiting = new Map<string, (at: number) => void>();
  const typingOff = new Map<number, () => void>();
  let current: { conversationId: number; hermesAt?: number; liveAt?: number } | null = null;
  fakes.onHermes((r, at) => {
    if (current && r.path === '/v1/chat/completions' && r.sessionIdSent?.endsWith(`-${current.conversationId}`)) current.hermesAt ??= at;
  });
  fakes.onChatwoot((r, at) => {
    const call = conversationCall(r.path);
    if (current && call?.conversationId === current.conversationId && r.method === 'GET' && call.tail === '' && current.hermesAt !== undefined) current.liveAt ??= at;
    if (!call || r.method !== 'POST') return;
    if (call.tail === '/messages' && r.body?.private === false) {
      for (const tag of tagsIn(String(r.body?.content ?? ''))) waiting.get(`${tag.conversationId}/${tag.seq}`)?.(at);
    }
    if (call.tail === '/toggle_typing_status' && r.body?.typing_status === 'off') typingOff.get(call.conversationId)?.();
  });

  let bot;
  try {
    bot = await startBot({ store: o.store, entry: o.entry, ...(o.appRoot ? { appRoot: o.appRoot } : {}), port, chatwootUrl: fakes.chatwoot.url, hermesUrl: fakes.hermes.url, logLevel: o.logLevel, env: { DEBOUNCE_MS: '0', DEBOUNCE_MAX_MS: '0' } });
  } catch (error) {
    await fakes.close();
    throw error;
  }
  const pool = new ConnectionPool(port);
  const factory = new WebhookFactory(port, SECRET);
  const toReply: number[] = [];
  const ack: number[] = [];
  const toHermes: number[] = [];
  const hermesToLiveCheck: number[] = [];
  const liveCheckToPost: number[] = [];
  let failures = 0;
  const background = new BackgroundMeter([() => bot.proc.cpuMs()], [bot.proc.pid], o.store.databaseName);
  try {
    const seqs = new Map<number, number>();
    for (let i = 0; i < p.samples; i++) {
      const conversationId = CONVERSATION_BASE + (i % p.conversations);
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      const bytes = factory.request({ conversationId, messageId: CONVERSATION_BASE * 10 + i, text: taggedText(conversationId, seq) });
      const replied = withTimeout(new Promise<number>((resolve) => waiting.set(`${conversationId}/${seq}`, resolve)), 5000);
      const ended = withTimeout(new Promise<number>((resolve) => typingOff.set(conversationId, () => resolve(0))), 5000);
      current = { conversationId };
      const t0 = performance.now();
      const res = await pool.request(bytes);
      ack.push(performance.now() - res.sentAt);
      const at = await replied;
      waiting.delete(`${conversationId}/${seq}`);
      if (classifyAck(res).ok && at !== null) {
        toReply.push(at - t0);
        const { hermesAt, liveAt } = current;
        if (hermesAt !== undefined && liveAt !== undefined) {
          toHermes.push(hermesAt - t0);
          hermesToLiveCheck.push(liveAt - hermesAt);
          liveCheckToPost.push(at - liveAt);
        }
      } else failures++;
      await ended;
      typingOff.delete(conversationId);
      if (failures >= 5) {
        // Broken, not slow: do not spend 5 s on each remaining sample.
        log(`  overhead: ${failures} turns without their reply; giving up after ${i + 1} of ${p.samples}`);
        failures += p.samples - i - 1;
        break;
      }
    }
  } finally {
    pool.close();
  }
  const cpuShares = shares(background);
  // Let the last echo land before stopping.
  await new Promise((r) => setTimeout(r, 100));
  await bot.stop();
  const contractViolations = fakes.chatwoot.violations();
  await fakes.close();
    const result: OverheadResult = {
    samples: p.samples,
    toReply: summarize(toReply),
    ack: summarize(ack),
    stages: { toHermes: summarize(toHermes), hermesToLiveCheck: summarize(hermesToLiveCheck), liveCheckToPost: summarize(liveCheckToPost) },
    failures,
    contractViolations,
    ...cpuShares,
  };
  log(
    `  bot (${o.store.name}) overhead: webhook → reply POST p50 ${result.toReply.p50} ms, p99 ${result.toReply.p99} ms, max ${result.toReply.max} ms; ` +
      `stages p50: → Hermes ${result.stages.toHermes.p50}, Hermes → live check ${result.stages.hermesToLiveCheck.p50}, → POST ${result.stages.liveCheckToPost.p50} ms; ` +
      `failures ${failures}, contract violations ${contractViolations.length}, other load ${cpuShares.backgroundCpuPct}%`,
  );
  return result;
}

/** Resolves with the value, or null after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]).finally(() => clearTimeout(timer));
}
