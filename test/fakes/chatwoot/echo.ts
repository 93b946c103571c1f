/**
 * Sends back to the bot what Chatwoot would: signed webhooks for the changes the bot (or an admin) made
 * through the API. Deliveries go out one at a time in commit order, after the API response (Chatwoot
 * enqueues them after commit), so tests see a deterministic order; Chatwoot's 5 s timeout applies.
 */
import { randomUUID } from 'node:crypto';
import { postWebhook } from '../../helpers/sign.js';
import type { EchoRecord } from './types.js';

const CHATWOOT_WEBHOOK_TIMEOUT_MS = 5000;

export class EchoSender {
  readonly records: EchoRecord[] = [];
  private readonly controller = new AbortController();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly target: { webhookUrl: string; secret: string }) {}

  send(event: string, conversationId: number, messageId: number | null, payload: Record<string, unknown>): void {
    // Body built now: Chatwoot freezes the payload when the change commits.
    const rawBody = JSON.stringify(payload);
    this.chain = this.chain.then(() => this.deliver(event, conversationId, messageId, rawBody));
  }

  private async deliver(event: string, conversationId: number, messageId: number | null, rawBody: string): Promise<void> {
    if (this.controller.signal.aborted) return;
    const deliveryId = randomUUID();
    const record: EchoRecord = { event, conversationId, messageId, deliveryId, status: null };
    this.records.push(record);
    try {
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(CHATWOOT_WEBHOOK_TIMEOUT_MS)]);
      const res = await postWebhook(this.target.webhookUrl, undefined, this.target.secret, { rawBody, deliveryId, signal });
      record.status = res.status;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Abort deliveries in flight and drop queued ones. */
  async close(): Promise<void> {
    this.controller.abort();
    await this.chain;
  }
}
