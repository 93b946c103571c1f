import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { parseRetryAfter, withRetry } from '../util/retry.js';
import { networkReason, redirected } from '../net/http-errors.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
export type UserContent = string | ContentPart[];

export interface CompletionRequest {
  /** Sent as X-Hermes-Session-Id; null for the header-less first turn of the strict-build fallback. */
  sessionId: string | null;
  /** Optional long-term memory scope (X-Hermes-Session-Key). */
  sessionKey?: string | null;
  idempotencyKey: string;
  system: string | null;
  user: UserContent;
  /** Absolute time (ms) by which the whole turn, retries included, must be done. */
  deadline: number;
  signal?: AbortSignal;
}

export interface CompletionResult {
  content: string;
  /** The X-Hermes-Session-Id Hermes answered with (may differ from the one sent: compression, derived ids). */
  sessionId: string | null;
  finishReason: string | null;
}

export type HermesErrorKind =
  | 'session_rejected' // 400/404 to our session header: a strict build (hermes.md §5)
  | 'unauthorized' // 401/403: key wrong, or no key configured on the server
  | 'incomplete' // the agent run failed or was partial: never forward such text
  | 'rate_limited'
  | 'draining' // 503 gateway_draining: Hermes is shutting down or restarting; it says when to come back
  | 'unavailable' // network error or 5xx after the retries
  | 'timeout'
  | 'bad_response'
  | 'aborted';

/** A failed Hermes call. `message` is for logs and private notes; it never reaches a customer. */
export class HermesError extends Error {
  constructor(
    readonly kind: HermesErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HermesError';
  }
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'draining';
  }
}

/**
 * Client of the Hermes API server's `POST /v1/chat/completions` (hermes.md §4–§6).
 * One call = one agent turn; retried on network errors, 429 (Retry-After) and 5xx, but not when Hermes
 * says the run itself failed (502 agent_incomplete, finish_reason "error", X-Hermes-Completed: false).
 */
export class HermesClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: { baseUrl: string; apiKey: string; model?: string; baseDelayMs?: number; log?: Logger; metrics?: Pick<BotMetrics, 'hermesRequest'> }) {
    this.http = axios.create({
      baseURL: options.baseUrl,
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      validateStatus: () => true,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
      maxContentLength: 20 * 1024 * 1024,
      // A redirected POST would be re-sent as a GET: a 3xx is reported instead (see interpret).
      maxRedirects: 0,
    });
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const messages: Array<{ role: string; content: UserContent }> = [];
    if (req.system) messages.push({ role: 'system', content: req.system });
    // With a session header Hermes takes only the last user entry as input: everything goes in one.
    messages.push({ role: 'user', content: req.user });
    const body = { model: this.options.model ?? 'hermes-agent', messages };
    const headers: Record<string, string> = { 'idempotency-key': req.idempotencyKey };
    if (req.sessionId) headers['x-hermes-session-id'] = req.sessionId;
    if (req.sessionKey) headers['x-hermes-session-key'] = req.sessionKey;

    const log = this.options.log;
    // A Hermes outage must not be silent until the hand-off: every retry says why and how long it waits.
    const onRetry = log
      ? ({ attempt, error, delayMs, serverAsked }: { attempt: number; error: unknown; delayMs: number; serverAsked: boolean }) =>
          log.debug(
            { hermes: this.options.baseUrl, session: req.sessionId, attempt, waitMs: delayMs, retryAfter: serverAsked, reason: error instanceof Error ? error.message : String(error) },
            'hermes call failed, retrying',
          )
      : undefined;
    return withRetry(
      {
        attempts: 8,
        baseDelayMs: this.options.baseDelayMs ?? 1000,
        maxDelayMs: 15_000,
        deadline: req.deadline,
        ...(req.signal ? { signal: req.signal } : {}),
        ...(onRetry ? { onRetry } : {}),
      },
      () => observed(this.options.metrics, async () => {
        const remaining = req.deadline - Date.now();
        if (remaining <= 0) throw new HermesError('timeout', 'Hermes did not answer within HERMES_TIMEOUT_MS');
        let res: AxiosResponse;
        try {
          res = await this.http.post('/v1/chat/completions', body, { headers, timeout: remaining, ...(req.signal ? { signal: req.signal } : {}) });
        } catch (error) {
          if (req.signal?.aborted) throw new HermesError('aborted', 'turn aborted (shutting down)');
          const e = error as { code?: string };
          if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') throw new HermesError('timeout', 'Hermes did not answer within HERMES_TIMEOUT_MS');
          throw new HermesError('unavailable', `Hermes unreachable: ${networkReason(error)}`);
        }
        return interpret(res, req.sessionId !== null);
      }),
      (error) =>
        error instanceof HermesError
          ? { retryable: error.retryable, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) }
          : { retryable: false },
    );
  }

  /** GET /v1/capabilities: what this Hermes build offers (used by `doctor` and logged at start). */
  async capabilities(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const res = await this.http.get('/v1/capabilities', { timeout: timeoutMs });
    if (res.status === 401 || res.status === 403) throw new HermesError('unauthorized', `Hermes refused the API key (${res.status})`, res.status);
    if (res.status !== 200 || typeof res.data !== 'object') throw new HermesError('bad_response', `GET /v1/capabilities answered ${res.status}`, res.status);
    return res.data as Record<string, unknown>;
  }

  /** An authenticated read-only GET (sessions API, discovery); 401/403 and network errors become HermesError. */
  async getJson(path: string, timeoutMs = 10_000): Promise<{ status: number; data: unknown }> {
    let res: AxiosResponse;
    try {
      res = await this.http.get(path, { timeout: timeoutMs });
    } catch (error) {
      throw new HermesError('unavailable', `Hermes unreachable: ${networkReason(error)}`);
    }
    if (res.status === 401 || res.status === 403) throw new HermesError('unauthorized', `Hermes refused the API key (${res.status})`, res.status);
    return { status: res.status, data: res.data };
  }

  /**
   * DELETE /api/sessions/{id} (api_server.py `_handle_delete_session`, Hermes v0.19+): removes the
   * session and its messages from Hermes' state.db. 200 {"object": "hermes.session.deleted",
   * "deleted": true} → 'deleted'; 404 with code session_not_found (never existed, or deleted before)
   * → 'absent', so deleting twice is safe. A 404 without that code means no sessions API at all.
   */
  async deleteSession(sessionId: string, timeoutMs = 10_000): Promise<'deleted' | 'absent'> {
    let res: AxiosResponse;
    try {
      res = await this.http.delete(`/api/sessions/${encodeURIComponent(sessionId)}`, { timeout: timeoutMs });
    } catch (error) {
      throw new HermesError('unavailable', `Hermes unreachable: ${networkReason(error)}`);
    }
    if (res.status === 401 || res.status === 403) throw new HermesError('unauthorized', `Hermes refused the API key (${res.status})`, res.status);
    const body = res.data as { deleted?: unknown; error?: { code?: unknown } } | null;
    if (res.status === 200) return body?.deleted === false ? 'absent' : 'deleted';
    if (res.status === 404 && body?.error?.code === 'session_not_found') return 'absent';
    if (res.status === 404 || res.status === 405) throw new HermesError('bad_response', 'this Hermes has no sessions API (DELETE /api/sessions/{id}, Hermes v0.19 or later)', res.status);
    throw new HermesError(res.status === 503 ? 'unavailable' : 'bad_response', `DELETE /api/sessions answered ${res.status}`, res.status);
  }

  /**
   * GET /v1/toolsets (authenticated): the toolsets the api_server platform gives its agent, each with
   * `enabled` (api_server.py `_handle_toolsets`). null when this build has no such endpoint (404).
   */
  async toolsets(timeoutMs = 5000): Promise<Array<{ name: string; enabled: boolean }> | null> {
    const res = await this.http.get('/v1/toolsets', { timeout: timeoutMs });
    if (res.status === 404) return null;
    if (res.status === 401 || res.status === 403) throw new HermesError('unauthorized', `Hermes refused the API key (${res.status})`, res.status);
    const data = (res.data as { data?: unknown } | null)?.data;
    if (res.status !== 200 || !Array.isArray(data)) throw new HermesError('bad_response', `GET /v1/toolsets answered ${res.status}`, res.status);
    return data
      .filter((t): t is { name: string; enabled?: unknown } => typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string')
      .map((t) => ({ name: t.name, enabled: t.enabled === true }));
  }
}

/** Times one request to Hermes and records how it ended (metrics/): its duration, and its error's kind. */
async function observed<T>(metrics: Pick<BotMetrics, 'hermesRequest'> | undefined, request: () => Promise<T>): Promise<T> {
  if (!metrics) return request();
  const started = performance.now();
  try {
    const result = await request();
    metrics.hermesRequest((performance.now() - started) / 1000, null);
    return result;
  } catch (error) {
    metrics.hermesRequest((performance.now() - started) / 1000, error instanceof HermesError ? error.kind : 'bad_response');
    throw error;
  }
}

function interpret(res: AxiosResponse, sentSession: boolean): CompletionResult {
  const status = res.status;
  const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as {
    error?: { message?: string; code?: string } | string;
    choices?: Array<{ message?: { content?: unknown }; finish_reason?: string | null }>;
    hermes?: { completed?: boolean; partial?: boolean; failed?: boolean; error?: string };
  };
  const errorObj = typeof data.error === 'object' ? data.error : { message: typeof data.error === 'string' ? data.error : undefined };
  const detail = `${status}${errorObj?.code ? ` ${errorObj.code}` : ''}${errorObj?.message ? `: ${String(errorObj.message).slice(0, 200)}` : ''}`;

  if (sentSession && (status === 400 || status === 404) && /session/i.test(String(errorObj?.message ?? ''))) {
    throw new HermesError('session_rejected', `Hermes rejected the session id (${detail})`, status);
  }
  if (status === 401 || status === 403) throw new HermesError('unauthorized', `Hermes refused the request (${detail})`, status);
  const retryAfter = parseRetryAfter(res.headers['retry-after']);
  if (status === 429) throw new HermesError('rate_limited', `Hermes is busy (${detail})`, status, retryAfter ?? 1000);
  if (status === 502 && errorObj?.code === 'agent_incomplete') throw new HermesError('incomplete', `Hermes run did not complete (${detail})`, status);
  // While the gateway drains (shutdown, `hermes gateway restart`) every agent endpoint answers 503
  // gateway_draining with Retry-After: 1 (api_server.py, _draining_response, checked after auth).
  if (status === 503 && errorObj?.code === 'gateway_draining') throw new HermesError('draining', `Hermes is shutting down or restarting (${detail})`, status, retryAfter ?? 1000);
  if (status >= 500) throw new HermesError('unavailable', `Hermes server error (${detail})`, status, retryAfter);
  if (status >= 300 && status < 400) throw new HermesError('bad_response', redirected('Hermes POST /v1/chat/completions', res, 'HERMES_URL'), status);
  if (status !== 200) throw new HermesError('bad_response', `Hermes answered ${detail}`, status);

  const choice = data.choices?.[0];
  const finishReason = choice?.finish_reason ?? null;
  const completedHeader = String(res.headers['x-hermes-completed'] ?? '').toLowerCase();
  if (completedHeader === 'false' || finishReason === 'error' || data.hermes?.completed === false || data.hermes?.failed === true || data.hermes?.partial === true) {
    throw new HermesError('incomplete', `Hermes reported an incomplete run (finish_reason ${finishReason ?? 'none'}${data.hermes?.error ? `, ${String(data.hermes.error).slice(0, 200)}` : ''})`, status);
  }
  const content = choice?.message?.content;
  if (typeof content !== 'string') throw new HermesError('bad_response', 'Hermes answered without choices[0].message.content', status);
  const sessionHeader = res.headers['x-hermes-session-id'];
  return { content, sessionId: typeof sessionHeader === 'string' && sessionHeader !== '' ? sessionHeader : null, finishReason };
}
