/**
 * POST /v1/chat/completions as the Hermes API server answers it (hermes.md §4–§6), in its order:
 * body and messages → session headers (403 / 400 / 404) → Idempotency-Key replay → injected failure →
 * max_concurrent_runs → the agent run.
 */
import type { HermesEngine } from './engine.js';
import { IdempotencyCache, fingerprint } from './idempotency.js';
import { parseChat } from './messages.js';
import {
  apiError,
  completionBody,
  failureName,
  failureReply,
  SESSION_ID_HEADER,
  SESSION_KEY_HEADER,
  streamFrames,
  type HermesReply,
} from './responses.js';
import { derivedSessionId, sessionKeyError } from './sessions.js';
import type { HermesRequest } from './types.js';

const SESSION_NEEDS_KEY =
  'Session continuation requires API key authentication. Configure API_SERVER_KEY to enable this feature.';

export class ChatCompletions {
  private readonly idempotency: IdempotencyCache<HermesReply>;

  constructor(private readonly engine: HermesEngine) {
    this.idempotency = new IdempotencyCache<HermesReply>(engine.opts.idempotencyTtlMs ?? 300_000);
  }

  async handle(rec: HermesRequest, body: unknown): Promise<HermesReply> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return apiError(400, 'Invalid JSON in request body', 'invalid_request_error', 'invalid_json');
    }
    const b = body as Record<string, unknown>;
    const parsed = parseChat(b.messages);
    if (!parsed.ok) return parsed.reply;
    const chat = parsed.chat;

    const useHeader = rec.sessionIdSent !== null && !this.engine.opts.ignoreSessionHeader;
    if ((useHeader || rec.sessionKey !== null) && this.engine.apiKey === null) {
      return apiError(403, SESSION_NEEDS_KEY, 'invalid_request_error', 'api_key_required');
    }
    if (rec.sessionKey !== null) {
      const keyError = sessionKeyError(rec.sessionKey);
      if (keyError) return keyError;
    }
    if (useHeader) {
      const idError = this.engine.store.checkHeaderId(rec.sessionIdSent!);
      if (idError) return idError;
    }

    const sessionId = useHeader ? rec.sessionIdSent! : derivedSessionId(chat.system, chat.firstUserText);
    const stream = b.stream === true;
    const model = typeof b.model === 'string' ? b.model : this.engine.model;

    const execute = async (): Promise<HermesReply> => {
      const failure = this.engine.failures.shift();
      if (failure !== undefined) {
        rec.injected = failureName(failure);
        return failureReply(failure, model, sessionId, this.engine.maxConcurrentRuns);
      }
      const busy = this.engine.acquire();
      if (busy) return busy;
      try {
        const session = this.engine.store.getOrCreate(sessionId, useHeader ? 'header' : 'derived');
        // With a session header the stored history REPLACES the body's: only the last user entry counts.
        rec.ignoredBodyEntries = useHeader ? chat.history.length : 0;
        rec.userText = chat.userText;
        let result: { text: string; sessionId: string };
        try {
          result = await this.engine.runTurn({
            sessionId,
            session,
            history: useHeader ? session.history : chat.history,
            system: chat.system,
            userContent: chat.userContent,
            userText: chat.userText,
          });
        } catch (err) {
          return apiError(500, `Agent error: ${err instanceof Error ? err.message : String(err)}`, 'server_error', 'server_error');
        }
        const headers: Record<string, string> = { [SESSION_ID_HEADER]: result.sessionId };
        if (rec.sessionKey !== null) headers[SESSION_KEY_HEADER] = rec.sessionKey;
        const promptText = `${chat.system ?? ''}${chat.userText}`;
        if (stream) return { kind: 'sse', headers, frames: streamFrames(model, result.text, promptText) };
        return { kind: 'json', status: 200, body: completionBody(model, result.text, promptText), headers };
      } finally {
        this.engine.release();
      }
    };

    if (rec.idempotencyKey === null || stream) return execute();
    const { value, replayed } = await this.idempotency.run(
      rec.idempotencyKey,
      fingerprint(body),
      execute,
      (reply) => reply.kind === 'json' && reply.status === 200 && !(reply.body as { hermes?: unknown }).hermes,
    );
    rec.replayed = replayed;
    return value;
  }
}
