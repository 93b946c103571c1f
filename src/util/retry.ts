import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
  signal?: AbortSignal;
  /** Told before each wait: which attempt failed, why, and how long the next one waits (ms). */
  onRetry?: (info: { attempt: number; error: unknown; delayMs: number; serverAsked: boolean }) => void;
}

export interface AttemptFailure {
  retryable: boolean;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs?: number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the attempts or the deadline run out.
 * Exponential backoff with full jitter, so many conversations retrying at once do not stampede;
 * a server's Retry-After wins over our own delay.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  beforeRetry?: (n: number, error: unknown) => Promise<boolean>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable || n >= policy.attempts || policy.signal?.aborted) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const delay = failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, policy.maxDelayMs * 4) : Math.random() * backoff + backoff / 2;
      if (policy.deadline !== undefined && Date.now() + delay >= policy.deadline) throw error;
      policy.onRetry?.({ attempt: n, error, delayMs: Math.round(delay), serverAsked: failure.retryAfterMs !== undefined });
      await sleep(delay, undefined, policy.signal ? { signal: policy.signal } : undefined).catch(() => {
        throw error;
      });
      if (beforeRetry && !(await beforeRetry(n, error))) throw error;
    }
  }
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
