/**
 * Histogram buckets, in seconds.
 *
 * The webhook's: Chatwoot gives a delivery 5 s and opens the conversation after that, and the store
 * wait gives up at 4 s (http/deadline.ts); the ack target is a p99 under 50 ms, so the low end is fine
 * enough to see it, and 4 and 5 s show how close a slow ack came to costing the conversation.
 */
export const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5];

/** Hermes': an agent turn takes seconds, with tools minutes (HERMES_TIMEOUT_MS defaults to 120 s). */
export const HERMES_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
