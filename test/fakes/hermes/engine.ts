/**
 * The agent side of the fake Hermes: runs turns (delay, reply function, history append), enforces
 * max_concurrent_runs and counts runs. Shared by /v1/chat/completions and /api/sessions/{id}/chat.
 */
import { sleep } from '../../helpers/wait.js';
import { tooManyRuns, type HermesReply } from './responses.js';
import { SessionStore } from './sessions.js';
import type { ChatEntry, FailureItem, FakeHermesOptions, HermesSession, ReplyFn } from './types.js';

export const defaultReply: ReplyFn = ({ turn, userText }) => `Resposta ${turn}: ${userText}`;

export interface TurnInput {
  sessionId: string;
  session: HermesSession;
  /** History the agent sees (stored, or from the body for header-less turns). */
  history: ChatEntry[];
  system: string | null;
  userContent: unknown;
  userText: string;
}

export class HermesEngine {
  readonly apiKey: string | null;
  readonly model: string;
  readonly maxConcurrentRuns: number;
  readonly store: SessionStore;
  reply: ReplyFn;
  delay: number | (() => number);
  down = false;
  /** Gateway shutting down: agent endpoints answer 503 gateway_draining (see responses.ts). */
  draining = false;
  readonly failures: FailureItem[] = [];
  runs = 0;
  active = 0;
  peak = 0;

  constructor(readonly opts: FakeHermesOptions) {
    this.apiKey = opts.apiKey === undefined ? 'hermes-key' : opts.apiKey;
    this.model = opts.modelName ?? 'hermes-agent';
    this.maxConcurrentRuns = opts.maxConcurrentRuns ?? 10;
    this.store = new SessionStore(opts.sessionMode ?? 'permissive', opts.rotateOnTurn ?? 0);
    this.reply = opts.reply ?? defaultReply;
    this.delay = opts.delayMs ?? 0;
  }

  /** A run slot, or the 429 Hermes answers over max_concurrent_runs. */
  acquire(): HermesReply | null {
    if (this.maxConcurrentRuns > 0 && this.active >= this.maxConcurrentRuns) return tooManyRuns(this.maxConcurrentRuns);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    return null;
  }

  release(): void {
    this.active--;
  }

  /** Run one agent turn; returns the reply text and the session id to echo (a rotated child, maybe). */
  async runTurn(t: TurnInput): Promise<{ text: string; sessionId: string }> {
    const turn = t.session.turns + 1;
    const ms = typeof this.delay === 'function' ? this.delay() : this.delay;
    if (ms > 0) await sleep(ms);
    this.runs++;
    const text = await this.reply({
      sessionId: t.sessionId,
      userText: t.userText,
      userContent: t.userContent,
      system: t.system,
      history: t.history.map((e) => ({ ...e })),
      turn,
    });
    t.session.history.push({ role: 'user', content: t.userContent }, { role: 'assistant', content: text });
    // Counted at the end: turns of one session are not serialised in Hermes, concurrent ones may share a number.
    t.session.turns++;
    t.session.lastActive = Math.floor(Date.now() / 1000);
    return { text, sessionId: this.store.afterTurn(t.sessionId, t.session) };
  }
}
