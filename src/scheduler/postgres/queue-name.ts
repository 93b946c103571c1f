import type { ConversationKey } from '../../domain/conversation.js';

/**
 * The job that wakes a conversation's worker, as graphile-worker stores it. One task, `turn`, whose
 * payload is the conversation; the queue name and the job key are both the conversation:
 * - a named queue runs its jobs strictly one at a time, in order, across every instance: single flight
 *   and first in, first out per conversation;
 * - the job key in mode `replace` keeps at most one waiting job per conversation and moves its run_at
 *   to the latest due time (debounce, whichever instance received the messages). If the keyed job is
 *   running, graphile-worker queues a new one behind it instead (sql/000018.sql, add_jobs).
 */
export const TURN_TASK = 'turn';
/** graphile-worker's default. A job that throws is retried after its exponential backoff (e^n s, n ≤ 10). */
export const TURN_MAX_ATTEMPTS = 25;

const QUEUE_PREFIX = 'conv:';

/** Queue name and job key of a conversation. */
export function queueNameFor(key: ConversationKey): string {
  return `${QUEUE_PREFIX}${key.accountId}:${key.conversationId}`;
}

/** queueNameFor as a SQL expression over a row's account and conversation columns (for joins with graphile-worker's tables). */
export function queueNameSql(accountColumn: string, conversationColumn: string): string {
  return `'${QUEUE_PREFIX}' || ${accountColumn} || ':' || ${conversationColumn}`;
}

export function keyFromPayload(payload: unknown): ConversationKey | null {
  const p = payload as { accountId?: unknown; conversationId?: unknown } | null;
  if (!p || !Number.isSafeInteger(p.accountId) || !Number.isSafeInteger(p.conversationId)) return null;
  return { accountId: p.accountId as number, conversationId: p.conversationId as number };
}
