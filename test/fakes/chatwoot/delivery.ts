/**
 * How Chatwoot (v4.13 – v4.15.1) delivers a webhook to an AgentBot, attempt by attempt:
 *
 * - lib/webhooks/trigger.rb: one POST of the payload frozen at enqueue, open and read timeout
 *   WEBHOOK_TIMEOUT (default 5 s), `X-Chatwoot-Delivery` made once per delivery, and a fresh
 *   `X-Chatwoot-Timestamp` / `X-Chatwoot-Signature` per attempt (request_headers runs every time).
 * - Only an HTTP 429 or 500 is retryable (RETRYABLE_AGENT_BOT_STATUSES, read from SafeFetch's
 *   "<status> <message>" error). Every other status, a timeout (Net::ReadTimeout → FetchError) and a
 *   refused connection fail at once, without retry.
 * - app/jobs/agent_bots/webhook_job.rb: `retry_on RetryableError, wait: 3.seconds, attempts: 3`, so
 *   at most 3 attempts; after the last, the retry_on block runs handle_failure as for a final error.
 *   (ActiveJob adds up to 15 % jitter and Sidekiq's scheduled-job poller a few seconds more; the fake
 *   waits exactly the 3 s: the shortest window a bot can get.)
 * - handle_failure, for `message_created` / `message_updated` of a message that exists, on an
 *   agent-bot webhook: a `pending` conversation is opened (`conversation.open!`) with the activity
 *   "Conversation was marked open by system due to an error with the agent bot." unless the account
 *   setting keep_pending_on_bot_failure is true. The fake leaves that decision to its owner
 *   (`onFinalFailure`), which holds the conversations.
 */
import { randomUUID } from 'node:crypto';
import { signChatwoot } from '../../helpers/sign.js';

/** Chatwoot's numbers (see above). */
export const CHATWOOT_DELIVERY: Required<DeliveryTiming> = { attempts: 3, retryWaitMs: 3000, timeoutMs: 5000 };
export const RETRYABLE_STATUSES: readonly number[] = [429, 500];
/** The events whose final failure may open the conversation (Webhooks::Trigger::SUPPORTED_ERROR_HANDLE_EVENTS). */
export const FAILURE_HANDLED_EVENTS: readonly string[] = ['message_created', 'message_updated'];
export const BOT_FAILURE_ACTIVITY = 'Conversation was marked open by system due to an error with the agent bot.';

export interface DeliveryTiming {
  attempts?: number;
  retryWaitMs?: number;
  /** WEBHOOK_TIMEOUT. */
  timeoutMs?: number;
}

export interface DeliveryAttempt {
  /** Date.now() when the attempt started. */
  at: number;
  /** How long it took until the answer (or the failure). */
  ms: number;
  /** X-Chatwoot-Timestamp and X-Chatwoot-Signature of this attempt. */
  timestamp: number;
  signature: string;
  /** The bot's answer; null when there was none (timeout, connection error). */
  status: number | null;
  error?: string;
}

export interface DeliveryRecord {
  event: string;
  conversationId: number;
  messageId: number | null;
  deliveryId: string;
  /** Status of the last attempt; null while in flight or when it got no answer (error set). */
  status: number | null;
  error?: string;
  attempts: DeliveryAttempt[];
  outcome: 'in_flight' | 'delivered' | 'failed';
  /** Why it failed for good: "timeout", "connection error", "HTTP 503", "HTTP 500 after 3 attempts"… */
  failure?: string;
  /** Whether Chatwoot's failure handling opened the conversation (the bot is off it from then on). */
  openedConversation: boolean;
}

export interface Delivery {
  record: DeliveryRecord;
  /** Settles when the first attempt has an answer (Chatwoot's queue moves on; retries are scheduled). */
  firstAttempt: Promise<void>;
  /** Settles when delivered or failed for good. */
  finished: Promise<DeliveryRecord>;
}

export interface DeliveryTarget {
  webhookUrl: string;
  secret: string;
}

export class WebhookDelivery {
  readonly records: DeliveryRecord[] = [];
  private readonly controller = new AbortController();
  private readonly timing: Required<DeliveryTiming>;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly target: DeliveryTarget,
    /** Runs Chatwoot's handle_failure for a final failure; returns whether the conversation was opened. */
    private readonly onFinalFailure: (payload: Record<string, unknown>, record: DeliveryRecord) => boolean,
    timing: DeliveryTiming = {},
  ) {
    this.timing = { ...CHATWOOT_DELIVERY, ...timing };
  }

  /** Starts delivering `payload` (frozen now, as Chatwoot freezes it at enqueue). */
  deliver(payload: Record<string, unknown>, opts: { deliveryId?: string } = {}): Delivery {
    const rawBody = JSON.stringify(payload);
    // A message event carries the message (its conversation nested); a conversation event the conversation.
    const isMessage = FAILURE_HANDLED_EVENTS.includes(String(payload.event));
    const conversation = (isMessage ? payload.conversation : payload) as { id?: unknown } | undefined;
    const record: DeliveryRecord = {
      event: String(payload.event),
      conversationId: Number(conversation?.id),
      messageId: isMessage && typeof payload.id === 'number' ? payload.id : null,
      deliveryId: opts.deliveryId ?? randomUUID(),
      status: null,
      attempts: [],
      outcome: 'in_flight',
      openedConversation: false,
    };
    this.records.push(record);
    let firstDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstDone = resolve));
    const finished = this.run(record, payload, rawBody, firstDone);
    return { record, firstAttempt, finished };
  }

  private async run(record: DeliveryRecord, payload: Record<string, unknown>, rawBody: string, firstDone: () => void): Promise<DeliveryRecord> {
    try {
      for (let n = 1; ; n++) {
        if (this.controller.signal.aborted) return this.fail(record, payload, 'fake closed', false);
        const attempt = await this.attempt(record.deliveryId, rawBody);
        record.attempts.push(attempt);
        record.status = attempt.status;
        if (attempt.error === undefined) delete record.error;
        else record.error = attempt.error;
        if (n === 1) firstDone();
        if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) {
          record.outcome = 'delivered';
          return record;
        }
        if (this.controller.signal.aborted) return this.fail(record, payload, 'fake closed', false);
        if (attempt.status === null) return this.fail(record, payload, attempt.error === 'timeout' ? 'timeout' : 'connection error', true);
        if (!RETRYABLE_STATUSES.includes(attempt.status)) return this.fail(record, payload, `HTTP ${attempt.status}`, true);
        if (n >= this.timing.attempts) return this.fail(record, payload, `HTTP ${attempt.status} after ${n} attempts`, true);
        await this.wait(this.timing.retryWaitMs);
      }
    } finally {
      firstDone();
    }
  }

  private fail(record: DeliveryRecord, payload: Record<string, unknown>, failure: string, handle: boolean): DeliveryRecord {
    record.outcome = 'failed';
    record.failure = failure;
    if (handle) record.openedConversation = this.onFinalFailure(payload, record);
    return record;
  }

  private async attempt(deliveryId: string, rawBody: string): Promise<DeliveryAttempt> {
    const headers = signChatwoot(rawBody, this.target.secret, { deliveryId });
    const at = Date.now();
    const base = { at, timestamp: Number(headers['x-chatwoot-timestamp']), signature: headers['x-chatwoot-signature']! };
    const timeout = AbortSignal.timeout(this.timing.timeoutMs);
    try {
      const res = await fetch(this.target.webhookUrl, { method: 'POST', headers, body: rawBody, signal: AbortSignal.any([this.controller.signal, timeout]) });
      await res.arrayBuffer().catch(() => undefined); // Chatwoot ignores the body, but reads it
      return { ...base, ms: Date.now() - at, status: res.status };
    } catch (error) {
      const error_ = timeout.aborted ? 'timeout' : this.controller.signal.aborted ? 'aborted' : describe(error);
      return { ...base, ms: Date.now() - at, status: null, error: error_ };
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
      this.controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      }, { once: true });
    });
  }

  /** Aborts attempts in flight and cancels scheduled retries. */
  close(): void {
    this.controller.abort();
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
