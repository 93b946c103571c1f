import type { ChatwootClient } from '../chatwoot/client.js';
import { ChatwootUnreachableError } from '../chatwoot/errors.js';
import type { ConversationKey } from '../domain/conversation.js';
import { partKind } from '../domain/outbox.js';
import type { BotMetrics } from '../metrics/metrics.js';
import type { OutboxPart, Store } from '../store/store.js';

export class AmbiguousPostError extends Error {
  constructor(readonly part: OutboxPart) {
    super(`part ${part.part} of turn ${part.turnId} may or may not have reached Chatwoot (interrupted while posting)`);
    this.name = 'AmbiguousPostError';
  }
}

export interface OutboxDeps {
  store: Pick<Store, 'setPartState' | 'getOutbox'>;
  chatwoot: Pick<ChatwootClient, 'postMessage'>;
  metrics?: Pick<BotMetrics, 'messagePosted'> | undefined;
}

/**
 * Posts outbox parts so that none is posted twice. A part is marked `posting` before its POST and
 * `posted` after; a part found in `posting` was interrupted mid-POST (crash, or a network error after
 * sending). Before any retry we look for a witness — Chatwoot's own echo of the message, recorded by
 * intake — and only post again when the earlier attempt provably failed (an HTTP error answer).
 */
export class Outbox {
  constructor(private readonly deps: OutboxDeps) {}

  async post(key: ConversationKey, part: OutboxPart): Promise<void> {
    const { store, chatwoot } = this.deps;
    if (part.state === 'posted') return;
    if (part.state === 'posting' && !(await this.witnessed(part))) throw new AmbiguousPostError(part);
    if (part.state === 'posting') return;

    // Compare-and-set: only one worker ever moves a part to `posting`; anyone else stops here.
    if (!(await store.setPartState(part, { state: 'posting', now: Date.now() }))) {
      if (await this.witnessed(part)) return;
      throw new AmbiguousPostError(part);
    }
    try {
      const res = await chatwoot.postMessage(key, { content: part.content, private: part.private }, async () => !(await this.witnessed(part)));
      this.deps.metrics?.messagePosted(partKind(part.part));
      await store.setPartState(part, { state: 'posted', now: Date.now(), chatwootMessageId: res.id });
    } catch (error) {
      if (await this.witnessed(part)) return;
      // Chatwoot answered with an error status, or refused every connection: it stored nothing, so a
      // later attempt is safe. Without an answer (connection lost mid-request) the part stays
      // `posting`: ambiguous.
      const status = (error as { status?: number | null }).status;
      if (typeof status === 'number' || error instanceof ChatwootUnreachableError) await store.setPartState(part, { state: 'failed', now: Date.now() });
      throw error;
    }
  }

  private async witnessed(part: OutboxPart): Promise<boolean> {
    const now = await this.deps.store.getOutbox(part.turnId);
    return now.find((p) => p.part === part.part)?.state === 'posted';
  }
}
