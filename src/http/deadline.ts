/**
 * How long the webhook waits for the store before answering 500 instead.
 *
 * Chatwoot waits WEBHOOK_TIMEOUT (default 5 s) for an answer and treats a timeout as a final failure:
 * no retry, and a `pending` conversation is opened for humans ("marked open by system",
 * lib/webhooks/trigger.rb: only a SafeFetch::HttpError with status 429 or 500 is re-raised as
 * RetryableError; Net::ReadTimeout becomes a FetchError and goes to handle_failure). A 500 sent
 * before the 5 s are up is retried (app/jobs/agent_bots/webhook_job.rb: 3 attempts, 3 s apart), so
 * a store that hangs — Postgres behind a link that silently drops packets, a disk that stalls a sync —
 * costs a retry instead of the conversation. 4 s leaves a second for the network and Chatwoot's side.
 */
export const STORE_WAIT_MS = 4000;

export type Settled<T> = { done: true; value: T } | { done: false };

/**
 * Waits for `work` at most `ms`. The work is not cancelled when the time is up: it goes on, and
 * whoever started it decides what its late result means (see webhook.ts).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  return Promise.race([work.then((value): Settled<T> => ({ done: true, value })), late]).finally(() => clearTimeout(timer));
}
