import { randomUUID } from 'node:crypto';
import type { ConversationKey } from '../domain/conversation.js';
import type { SessionRecord, Store } from '../store/store.js';
import { HermesError, type CompletionResult, type HermesClient, type UserContent } from './client.js';

/**
 * Our deterministic session id for a conversation: `chatwoot-<account>-<conversation>`, with a
 * generation suffix once the session was reset. Account and display id together are unique in a
 * Chatwoot installation, so two conversations can never share one; the characters are all safe
 * for Hermes' validation (no `/`, `..`, control characters; far below 256).
 */
export function stableSessionId(key: ConversationKey, generation = 0): string {
  const id = `chatwoot-${key.accountId}-${key.conversationId}`;
  return generation === 0 ? id : `${id}-g${generation}`;
}

export interface AskInput {
  /** The Hermes API server for this conversation's inbox (inboxes may use different profiles). */
  hermes: HermesClient;
  key: ConversationKey;
  idempotencyKey: string;
  instructions: string | null;
  user: UserContent;
  sessionKey?: string | null;
  /** The conversation's session as the caller already read it (null: none yet); read here when absent. */
  session?: SessionRecord | null;
  deadline: number;
  signal?: AbortSignal;
}

/**
 * Runs one Hermes turn in the conversation's session (hermes.md §5 "portable strategy"):
 * send our id; store whatever id Hermes echoes; on a strict build's 400/404 run one header-less turn
 * whose system message carries a per-conversation nonce (so Hermes' derived id cannot collide with
 * another conversation's), then keep the server's id.
 */
export class SessionRunner {
  constructor(private readonly store: Store) {}

  async ask(input: AskInput, now = Date.now): Promise<CompletionResult & { session: SessionRecord }> {
    const known = input.session !== undefined ? input.session : await this.store.getSession(input.key);
    let session = known ?? (await this.store.saveSession(input.key, { sessionId: stableSessionId(input.key), mode: 'header', generation: 0 }, now()));
    try {
      const result = await input.hermes.complete({
        sessionId: session.sessionId,
        sessionKey: input.sessionKey ?? null,
        idempotencyKey: input.idempotencyKey,
        system: input.instructions,
        user: input.user,
        deadline: input.deadline,
        ...(input.signal ? { signal: input.signal } : {}),
      });
      if (result.sessionId && result.sessionId !== session.sessionId) {
        session = await this.store.saveSession(input.key, { sessionId: result.sessionId, mode: session.mode, generation: session.generation }, now());
      }
      return { ...result, session };
    } catch (error) {
      if (!(error instanceof HermesError) || error.kind !== 'session_rejected') throw error;
    }

    // Strict build: it only accepts ids it issued. Start the session without the header.
    const marker = `[conversation ${stableSessionId(input.key, session.generation)} · ${randomUUID()}]`;
    const result = await input.hermes.complete({
      sessionId: null,
      sessionKey: input.sessionKey ?? null,
      idempotencyKey: `${input.idempotencyKey}-start`,
      system: input.instructions ? `${input.instructions}\n\n${marker}` : marker,
      user: input.user,
      deadline: input.deadline,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (!result.sessionId) {
      throw new HermesError('bad_response', 'Hermes rejected our session id and did not return one of its own (X-Hermes-Session-Id missing)');
    }
    session = await this.store.saveSession(input.key, { sessionId: result.sessionId, mode: 'server', generation: session.generation }, now());
    return { ...result, session };
  }

  /** Starts a fresh Hermes session for the conversation (CLI `sessions reset`, `/bot reset`, reset-on-resolve). */
  async reset(key: ConversationKey, now = Date.now()): Promise<SessionRecord> {
    const current = await this.store.getSession(key);
    const generation = (current?.generation ?? 0) + 1;
    return this.store.saveSession(key, { sessionId: stableSessionId(key, generation), mode: 'header', generation }, now);
  }
}
