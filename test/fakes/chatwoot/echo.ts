/**
 * Sends back to the bot what Chatwoot would: signed webhooks for the changes the bot (or an admin) made
 * through the API. First attempts go out one at a time in commit order, after the API response
 * (Chatwoot enqueues them after commit), so tests see a deterministic order; each is then delivered
 * as Chatwoot delivers (delivery.ts): 5 s timeout, 429/500 retried 3 s later off the queue, and a
 * final failure of a message event handed to Chatwoot's failure handling.
 */
import type { Delivery, DeliveryRecord, WebhookDelivery } from './delivery.js';

export class EchoSender {
  /** The echoes' deliveries, in order. */
  readonly records: DeliveryRecord[] = [];
  private readonly deliveries: Delivery[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly delivery: WebhookDelivery) {}

  send(payload: Record<string, unknown>): void {
    // Body frozen now: Chatwoot freezes the payload when the change commits.
    const frozen = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      const delivery = this.delivery.deliver(frozen);
      this.deliveries.push(delivery);
      this.records.push(delivery.record);
      await delivery.firstAttempt;
    });
  }

  /** Aborts deliveries in flight and drops queued ones (the delivery itself is closed by its owner). */
  async close(): Promise<void> {
    this.closed = true;
    this.delivery.close();
    await this.chain;
    await Promise.all(this.deliveries.map((d) => d.finished));
  }
}
