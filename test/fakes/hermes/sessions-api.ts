/**
 * The sessions API (api_server.py, v2026.7.20: `_handle_list_sessions`, `_handle_create_session`,
 * `_handle_get_session`, `_handle_delete_session`, `_handle_session_messages`, `_handle_session_chat`), served only when
 * advertised (v0.19.0 always serves it; older builds do not). Kept to the calls a bridge needs.
 */
import type { HermesEngine } from './engine.js';
import { contentText } from './messages.js';
import { apiError, estimateTokens, NOT_FOUND, METHOD_NOT_ALLOWED, type HermesReply } from './responses.js';
import { nativeSessionId, permissiveIdError } from './sessions.js';
import type { HermesRequest, HermesSession } from './types.js';

/** `_session_response`: the client-safe keys only (no chat_id, session_key or system prompt). */
function sessionJson(id: string, s: HermesSession, title: string | null = null): Record<string, unknown> {
  const firstUser = s.history.find((e) => e.role === 'user');
  const preview = firstUser ? contentText(firstUser.content).slice(0, 60) : null;
  return {
    id,
    source: s.source,
    user_id: s.userId ?? null,
    model: null,
    title,
    started_at: s.startedAt ?? null,
    ended_at: s.endedAt ?? null,
    end_reason: s.endReason ?? null,
    message_count: s.history.length,
    parent_session_id: s.parentId,
    last_active: s.lastActive ?? s.startedAt ?? null,
    preview,
    has_system_prompt: false,
    has_model_config: false,
  };
}

/** `_get_existing_session_or_404` (via `_openai_error`, so type invalid_request_error). */
const sessionNotFound = (id: string): HermesReply => apiError(404, `Session not found: ${id}`, 'invalid_request_error', 'session_not_found');

/** `_parse_nonnegative_int`: a bad or negative value falls back to the default; capped at `maximum`. */
function nonNegative(value: string | null, fallback: number, maximum: number): number {
  const n = value === null || value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < 0) return fallback;
  return Math.min(n, maximum);
}

/**
 * GET /api/sessions?source=&limit=&offset=: `list_sessions_rich(order_by_last_active=True)`, newest
 * activity first; child sessions (compression, delegation) left out unless include_children.
 */
function listSessions(engine: HermesEngine, query: URLSearchParams): HermesReply {
  const limit = nonNegative(query.get('limit'), 50, 200);
  const offset = nonNegative(query.get('offset'), 0, 1_000_000);
  const source = query.get('source') || null;
  const children = ['1', 'true', 'yes', 'on'].includes((query.get('include_children') ?? '').toLowerCase());
  const rows = [...engine.store.sessions.entries()]
    .filter(([, s]) => (source === null || s.source === source) && (children || s.parentId === null))
    .sort(([, a], [, b]) => (b.lastActive ?? b.startedAt ?? 0) - (a.lastActive ?? a.startedAt ?? 0))
    .slice(offset, offset + limit)
    .map(([id, s]) => sessionJson(id, s));
  return { kind: 'json', status: 200, body: { object: 'list', data: rows, limit, offset, has_more: rows.length === limit } };
}

export async function handleSessionsApi(engine: HermesEngine, rec: HermesRequest, body: any, query = new URLSearchParams()): Promise<HermesReply> {
  const m = /^\/api\/sessions(?:\/([^/]+))?(?:\/(chat|messages))?\/?$/.exec(rec.path);
  if (!m) return NOT_FOUND;
  const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const action = m[2];
  const sessions = engine.store.sessions;

  if (id === undefined) {
    if (rec.method === 'GET') return listSessions(engine, query);
    if (rec.method !== 'POST') return METHOD_NOT_ALLOWED;
    const newId = typeof body?.id === 'string' && body.id !== '' ? body.id : nativeSessionId();
    const invalid = permissiveIdError(newId);
    if (invalid) return invalid;
    if (sessions.has(newId)) return apiError(409, `Session ${newId} already exists`, 'invalid_request_error', 'session_exists');
    const session = engine.store.getOrCreate(newId, 'sessions_api');
    session.startedAt = Math.floor(Date.now() / 1000);
    return { kind: 'json', status: 201, body: { object: 'hermes.session', session: sessionJson(newId, session, body?.title ?? null) } };
  }

  const session = sessions.get(id);
  if (action === undefined) {
    if (rec.method === 'GET') return session ? { kind: 'json', status: 200, body: { object: 'hermes.session', session: sessionJson(id, session) } } : sessionNotFound(id);
    if (rec.method === 'DELETE') {
      if (!session) return sessionNotFound(id);
      sessions.delete(id);
      return { kind: 'json', status: 200, body: { object: 'hermes.session.deleted', id, deleted: true } };
    }
    return METHOD_NOT_ALLOWED;
  }
  if (action === 'messages') {
    if (rec.method !== 'GET') return METHOD_NOT_ALLOWED;
    if (!session) return sessionNotFound(id);
    // `_message_response` rows; the fake has no compression tip to resolve to, so session_id is the id asked.
    const data = session.history.map((e, i) => ({ id: i + 1, session_id: id, role: e.role, content: e.content }));
    return { kind: 'json', status: 200, body: { object: 'list', session_id: id, data } };
  }

  if (rec.method !== 'POST') return METHOD_NOT_ALLOWED;
  if (!session) return sessionNotFound(id);
  const userContent = body?.message ?? body?.input;
  if (userContent === undefined || userContent === null || userContent === '') {
    return apiError(400, "Provide 'message' or 'input'", 'invalid_request_error', 'missing_message');
  }
  const system = body?.system_message ?? body?.instructions ?? null;
  const busy = engine.acquire();
  if (busy) return busy;
  try {
    const userText = contentText(userContent);
    rec.userText = userText;
    const result = await engine.runTurn({
      sessionId: id,
      session,
      history: session.history,
      system: typeof system === 'string' ? system : null,
      userContent,
      userText,
    });
    rec.sessionIdReturned = result.sessionId;
    const usage = { prompt_tokens: estimateTokens(userText), completion_tokens: estimateTokens(result.text) };
    return {
      kind: 'json',
      status: 200,
      body: {
        object: 'hermes.session.chat.completion',
        session_id: result.sessionId,
        message: { role: 'assistant', content: result.text },
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      },
    };
  } catch (err) {
    return apiError(500, `Agent error: ${err instanceof Error ? err.message : String(err)}`, 'server_error', 'server_error');
  } finally {
    engine.release();
  }
}
