/**
 * The customers' side, as Chatwoot delivers it: each WhatsApp message becomes a signed
 * `message_created` (bench/lib/webhooks.ts: the shared fixture, tagged text) delivered by the fake
 * Chatwoot's delivery module (429/500 retried 3 × 3 s, 5 s timeout, any other failure final), and
 * Chatwoot's handle_failure after a final failure: a pending conversation is opened for the team.
 * The payload carries the conversation's live status, as Chatwoot's would (after a hand-off or a
 * takeover the bot sees `open`). Redelivery: the same payload with the same X-Chatwoot-Delivery,
 * several times at once.
 */
import { WebhookDelivery, type DeliveryRecord } from '../../test/fakes/chatwoot/delivery.js';
import type { FakeChatwoot } from '../../test/fakes/fake-chatwoot.js';
import { randomUUID } from 'node:crypto';
import { SECRET } from '../../bench/lib/fakes.js';
import { taggedText, WebhookFactory } from '../../bench/lib/webhooks.js';
import type { SentMessage, StatusChange } from './invariants.js';

const ACCOUNT = 1;

export interface Message {
  conversationId: number;
  seq: number;
  /** An image with the text as its caption. */
  media: boolean;
}

export class Customers {
  readonly sent: Array<SentMessage & { records: DeliveryRecord[] }> = [];
  readonly statusChanges: StatusChange[] = [];
  private readonly delivery: WebhookDelivery;
  private readonly text = new WebhookFactory(0, SECRET);
  private readonly image = new WebhookFactory(0, SECRET, 'message_created-incoming-image');
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly chatwoot: FakeChatwoot,
    webhookUrl: string,
  ) {
    this.delivery = new WebhookDelivery({ webhookUrl, secret: SECRET }, (_payload, record) => this.finalFailure(record));
  }

  /** One customer message; `copies` deliveries of it at once (Chatwoot redelivering), after `jitterMs` each. */
  send(m: Message, o: { copies?: number; jitterMs?: () => number } = {}): void {
    const conv = this.chatwoot.conversation(ACCOUNT, m.conversationId);
    const factory = m.media ? this.image : this.text;
    const payload = JSON.parse(factory.body({ conversationId: m.conversationId, messageId: m.conversationId * 100 + m.seq, text: taggedText(m.conversationId, m.seq) })) as Record<string, any>;
    payload.conversation.status = conv.status;
    const entry = { conversationId: m.conversationId, seq: m.seq, sentAt: Number.POSITIVE_INFINITY, botsTurn: conv.status === 'pending', ackedAt: null as number | null, records: [] as DeliveryRecord[] };
    this.sent.push(entry);
    const deliveryId = randomUUID();
    for (let i = 0; i < (o.copies ?? 1); i++) {
      const delay = o.jitterMs?.() ?? 0;
      const run = (async () => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        entry.sentAt = Math.min(entry.sentAt, Date.now());
        const d = this.delivery.deliver(payload, { deliveryId });
        entry.records.push(d.record);
        const record = await d.finished;
        const ok = record.attempts.find((a) => a.status !== null && a.status >= 200 && a.status < 300);
        if (ok) entry.ackedAt = Math.min(entry.ackedAt ?? Number.POSITIVE_INFINITY, ok.at + ok.ms);
      })();
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
  }

  /** A human takes the conversation (assigns themself and opens it). */
  takeOver(conversationId: number): void {
    const conv = this.chatwoot.conversation(ACCOUNT, conversationId);
    if (conv.status !== 'pending') return;
    this.chatwoot.setConversation(ACCOUNT, conversationId, { status: 'open', assigneeId: 1, assigneeType: 'User' });
    this.statusChanges.push({ conversationId, to: 'open', by: 'admin', at: Date.now() });
  }

  /** Resolves when every delivery started so far has finished (delivered or failed for good). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Every delivery attempt's duration, ms (what Chatwoot waited for each answer). */
  attempts(): Array<{ ms: number; status: number | null }> {
    return this.sent.flatMap((s) => s.records.flatMap((r) => r.attempts.map((a) => ({ ms: a.ms, status: a.status }))));
  }

  close(): void {
    this.delivery.close();
  }

  /** Chatwoot's handle_failure (see test/fakes/chatwoot/delivery.ts): a pending conversation is opened. */
  private finalFailure(record: DeliveryRecord): boolean {
    const conv = this.chatwoot.conversation(ACCOUNT, record.conversationId);
    if (conv.status !== 'pending') return false;
    this.chatwoot.setConversation(ACCOUNT, record.conversationId, { status: 'open' });
    this.statusChanges.push({ conversationId: record.conversationId, to: 'open', by: 'system', at: Date.now() });
    return true;
  }
}
