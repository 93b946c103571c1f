import type { ConversationKey } from '../domain/conversation.js';
import type { TurnAdmission } from './admission.js';

/**
 * Runs conversations' turns when their stored work is due. The store holds the truth (which
 * conversations have work, and when); a scheduler only decides when to look. Two implementations:
 * `local.ts` (one process, the embedded store) and `postgres/` (many instances, graphile-worker).
 */
export interface Scheduler {
  start(): Promise<void>;
  /** Intake stored work for this conversation, due at `dueAt`. */
  notify(key: ConversationKey, dueAt: number): void;
  /** Stops starting turns; in-flight ones get `graceMs` to finish, then are aborted and left for the next process. */
  drain(graceMs: number): Promise<void>;
  stats(): { running: number; waiting: number; scheduled: number };
}

/** Works one conversation until nothing is due (conversation/worker.ts); `nextDueAt` says when to look again. */
export type Work = (key: ConversationKey, signal: AbortSignal) => Promise<{ nextDueAt: number | null }>;

/** What every scheduler is built from; MAX_CONCURRENT_TURNS is per process in both. */
export interface SchedulerOptions {
  work: Work;
  /** Turns at most at once in this process (MAX_CONCURRENT_TURNS). */
  concurrency: number;
  /** How many of those may start now (adaptive: admission.ts); default a fixed `concurrency`. */
  admission?: TurnAdmission;
}
