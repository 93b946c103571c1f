/**
 * Bodies and headers the Hermes API server answers with (hermes.md §2–§6): OpenAI-style error objects,
 * the chat.completion body, and the canned failures failNext() injects.
 */
import { randomBytes } from 'node:crypto';
import type { FailureItem } from './types.js';

/** What a handler answers; the server turns it into HTTP. */
export type HermesReply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'sse'; headers: Record<string, string>; frames: string[] }
  | { kind: 'text'; status: number; text: string }
  | { kind: 'reset' };

export const SESSION_ID_HEADER = 'X-Hermes-Session-Id';
export const SESSION_KEY_HEADER = 'X-Hermes-Session-Key';

export function apiError(status: number, message: string, type: string, code: string | null, headers?: Record<string, string>): HermesReply {
  return { kind: 'json', status, body: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) };
}

/** Exactly the body of §2. */
export const INVALID_API_KEY: HermesReply = {
  kind: 'json',
  status: 401,
  body: { error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } },
};

export const NOT_FOUND: HermesReply = { kind: 'text', status: 404, text: '404: Not Found' };
export const METHOD_NOT_ALLOWED: HermesReply = { kind: 'text', status: 405, text: '405: Method Not Allowed' };

export function tooManyRuns(max: number): HermesReply {
  return apiError(429, `Too many concurrent runs (max ${max})`, 'rate_limit_error', 'rate_limit_exceeded', { 'Retry-After': '1' });
}

/**
 * While the gateway drains (shutdown or restart), every agent endpoint answers this after the auth check:
 * api_server.py, `_draining_response` via `_admit_api_agent_request` (v2026.7.20). `_openai_error` fills
 * type "invalid_request_error" and param null.
 */
export function gatewayDraining(): HermesReply {
  return apiError(503, 'Gateway is draining existing work; retry shortly.', 'invalid_request_error', 'gateway_draining', { 'Retry-After': '1' });
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function completionBody(model: string, content: string, promptText: string, finishReason = 'stop'): Record<string, any> {
  const prompt = estimateTokens(promptText);
  const completion = estimateTokens(content);
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** SSE frames of a streamed completion: role chunk, one content delta, final chunk with usage, [DONE]. */
export function streamFrames(model: string, content: string, promptText: string): string[] {
  const base = { id: `chatcmpl-${randomBytes(12).toString('hex')}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const full = completionBody(model, content, promptText);
  const data = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  return [
    data({ ...base, choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }),
    data({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] }),
    data({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: full.usage }),
    'data: [DONE]\n\n',
  ];
}

export function failureName(item: FailureItem): string {
  return typeof item === 'string' ? item : `status ${item.status}`;
}

/** The answer for an injected failure; `sessionId` is echoed where Hermes would (a partial run's 200). */
export function failureReply(item: FailureItem, model: string, sessionId: string | null, maxRuns: number): HermesReply {
  if (typeof item === 'object') {
    return { kind: 'json', status: item.status, body: item.body ?? null, ...(item.headers ? { headers: item.headers } : {}) };
  }
  switch (item) {
    case 'incomplete':
      return apiError(502, 'Agent run ended without a final response', 'server_error', 'agent_incomplete');
    case 'partial': {
      const error = 'Provider error: upstream request timed out';
      const body = completionBody(model, 'Deixa eu verificar isso para v', '', 'error');
      body.hermes = { completed: false, partial: true, failed: true, error, error_code: 'provider_timeout' };
      const headers: Record<string, string> = { 'X-Hermes-Completed': 'false', 'X-Hermes-Partial': 'true', 'X-Hermes-Error': 'provider_timeout' };
      if (sessionId) headers[SESSION_ID_HEADER] = sessionId;
      return { kind: 'json', status: 200, body, headers };
    }
    case 'server_error':
      return apiError(500, 'Internal server error', 'server_error', 'server_error');
    case 'rate_limited':
      return tooManyRuns(maxRuns);
    case 'reset':
      return { kind: 'reset' };
    case 'auth':
      return INVALID_API_KEY;
  }
}

/**
 * Texts Hermes has really sent as replies that must never reach a customer (hermes.md §11, lessons.md
 * A.2–A.3), for testing the service's safety filters with `setReply(() => GATEWAY_NOISE.interrupting)`.
 */
export const GATEWAY_NOISE = {
  interrupting: '⚡ Interrupting current task…',
  queued: 'Your message was queued for the next turn.',
  steered: 'Steered into current run.',
  compressing: 'Compressing context…',
  subagent: 'Subagent working on it…',
  providerAuth: 'HTTP 401: {"error": "token is expired"}',
  nonRetryable: 'Non-retryable error: provider returned 400',
  fallback: 'Primary provider failed, switching to fallback provider',
  traceback: 'Traceback (most recent call last):\n  File "run_agent.py", line 812, in run\nKeyError: \'content\'',
};
