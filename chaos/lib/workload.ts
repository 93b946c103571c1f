/**
 * A realistic day's traffic, compressed: hundreds of conversations starting over a spread of time,
 * each customer writing 1–N messages (often in bursts of a few hundred ms, as people type on
 * WhatsApp, else a few seconds apart), some with an image, and some conversations taken over by a
 * human along the way. Seeded, so a failing run can be replayed (`--seed`).
 */
import type { Customers, Message } from './customers.js';

export interface WorkloadProfile {
  conversations: number;
  /** Conversations start within this window, ms. */
  spreadMs: number;
  maxMessages: number;
  /** Share of conversations a human takes over. */
  takeoverShare: number;
  /** Share of messages that are an image with a caption. */
  mediaShare: number;
}

export type Step = { at: number; kind: 'message'; message: Message } | { at: number; kind: 'takeover'; conversationId: number };

/** mulberry32: small, fast, good enough to shuffle a workload reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIRST_CONVERSATION = 1000;

export function planWorkload(p: WorkloadProfile, random: () => number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < p.conversations; i++) {
    const conversationId = FIRST_CONVERSATION + i;
    let at = Math.floor(random() * p.spreadMs);
    const count = 1 + Math.floor(random() * p.maxMessages);
    for (let seq = 1; seq <= count; seq++) {
      steps.push({ at, kind: 'message', message: { conversationId, seq, media: random() < p.mediaShare } });
      at += random() < 0.4 ? 50 + Math.floor(random() * 250) : 1000 + Math.floor(random() * 4000);
    }
    if (random() < p.takeoverShare) steps.push({ at: steps.find((s) => s.kind === 'message' && s.message.conversationId === conversationId)!.at + 500 + Math.floor(random() * 4000), kind: 'takeover', conversationId });
  }
  return steps.sort((a, b) => a.at - b.at);
}

/** Plays the steps at their times (from now). */
export async function drive(steps: Step[], customers: Customers, o: { copies?: number; jitterMs?: () => number } = {}): Promise<void> {
  const t0 = Date.now();
  for (const step of steps) {
    const wait = t0 + step.at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (step.kind === 'takeover') customers.takeOver(step.conversationId);
    else customers.send(step.message, o);
  }
}

/** How long the steps take to play, ms. */
export function workloadSpan(steps: Step[]): number {
  return steps.at(-1)?.at ?? 0;
}
