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
 *
 * The budget is the transport's (it exists because of Chatwoot's HTTP timeout); intake enforces it
 * (intake/receive.ts, given it by the composition root), because only intake knows what a write that
 * ends after the answer means and can log it with the event's fields.
 */
export const STORE_WAIT_MS = 4000;
