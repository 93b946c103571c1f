import { Counter, Histogram, Registry } from 'prom-client';
import type { HandoffKind } from '../domain/handoff.js';
import type { PartKind } from '../domain/outbox.js';
import type { HermesErrorKind } from '../hermes/client.js';
import type { BlockKind } from '../safety/index.js';
import type { TurnQueue } from '../store/store.js';
import { ACK_BUCKETS, HERMES_BUCKETS } from './buckets.js';
import { EventLoopDelay } from './event-loop.js';
import type { EventKind, EventOutcome, EventReason, TurnOutcomeLabel } from './labels.js';
import { registerWaiting } from './waiting.js';

export const METRIC_PREFIX = 'chatwoot_hermes_bot_';

/**
 * The bot's metrics, in a registry of its own (not prom-client's global one): the composition root
 * makes one per bot, so two bots in one process (the tests) never mix their counts.
 *
 * Each method records one fact where it happens and costs a map lookup and an addition: nothing here
 * awaits or does I/O on the webhook's path. Every label value is typed to a fixed set (labels.ts):
 * never an id, never text. Figures that belong to the whole bot (waiting conversations) are not
 * counted here but read from the store when scraped (waiting.ts).
 */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'kind' | 'outcome' | 'reason'>;
  private readonly acks: Histogram<'status'>;
  private readonly turns: Counter<'outcome'>;
  private readonly hermesSeconds: Histogram<'outcome'>;
  private readonly hermesErrors: Counter<'kind'>;
  private readonly handoffs: Counter<'reason'>;
  private readonly blocks: Counter<'kind'>;
  private readonly posted: Counter<'part'>;
  private readonly loop: EventLoopDelay;

  constructor(opts: { store: Pick<TurnQueue, 'listDue'>; now?: () => number }) {
    const p = METRIC_PREFIX;
    const registers = [this.registry];
    this.events = new Counter({
      name: `${p}webhook_events_total`,
      help: 'Webhook events by kind and outcome (accepted, ignored, duplicate, refused), with the reason kind when ignored or refused.',
      labelNames: ['kind', 'outcome', 'reason'] as const,
      registers,
    });
    this.acks = new Histogram({
      name: `${p}webhook_ack_seconds`,
      help: "Time from a webhook request's arrival to the end of the bot's answer, by HTTP status (aborted: the caller hung up first). Chatwoot gives up at 5 s.",
      labelNames: ['status'] as const,
      buckets: ACK_BUCKETS,
      registers,
    });
    this.turns = new Counter({ name: `${p}turns_total`, help: 'Turns by how they ended.', labelNames: ['outcome'] as const, registers });
    this.hermesSeconds = new Histogram({
      name: `${p}hermes_request_seconds`,
      help: 'Duration of each request to Hermes (each retry counts), by outcome (ok or error).',
      labelNames: ['outcome'] as const,
      buckets: HERMES_BUCKETS,
      registers,
    });
    this.hermesErrors = new Counter({ name: `${p}hermes_errors_total`, help: 'Failed requests to Hermes by error kind (retried ones too).', labelNames: ['kind'] as const, registers });
    this.handoffs = new Counter({ name: `${p}handoffs_total`, help: 'Conversations handed to humans, by reason kind.', labelNames: ['reason'] as const, registers });
    this.blocks = new Counter({ name: `${p}replies_blocked_total`, help: "Hermes replies the reply guard blocked, by the guard's kind.", labelNames: ['kind'] as const, registers });
    this.posted = new Counter({
      name: `${p}messages_posted_total`,
      help: 'Messages the bot posted to Chatwoot, by part: reply (to the customer), fallback (hand-off message to the customer), note, blocked (private notes).',
      labelNames: ['part'] as const,
      registers,
    });
    registerWaiting(this.registry, p, opts.store, opts.now);
    this.loop = new EventLoopDelay(this.registry, p);
  }

  event(kind: EventKind, outcome: EventOutcome, reason: EventReason | '' = ''): void {
    this.events.inc({ kind, outcome, reason });
  }

  /** `aborted`: the caller hung up before the answer was sent (Chatwoot does at 5 s). */
  ack(seconds: number, status: number | 'aborted'): void {
    this.acks.observe({ status: String(status) }, seconds);
  }

  turn(outcome: TurnOutcomeLabel): void {
    this.turns.inc({ outcome });
  }

  /** One request to Hermes: its duration (null when none was sent, e.g. the deadline had passed) and its error kind, if it failed. */
  hermesRequest(seconds: number | null, error: HermesErrorKind | null): void {
    if (seconds !== null) this.hermesSeconds.observe({ outcome: error ? 'error' : 'ok' }, seconds);
    if (error) this.hermesErrors.inc({ kind: error });
  }

  handoff(reason: HandoffKind): void {
    this.handoffs.inc({ reason });
  }

  replyBlocked(kind: BlockKind): void {
    this.blocks.inc({ kind });
  }

  messagePosted(part: PartKind): void {
    this.posted.inc({ part });
  }

  /** The Prometheus text exposition, with the store-read figures collected now (or from the short cache). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }
}
