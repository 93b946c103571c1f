/**
 * The sessions API of newer Hermes builds (hermes.md §7), served only when advertised: create a session
 * under our own id, then chat into it. Kept to the calls a bridge needs.
 */
import type { HermesEngine } from './engine.js';
import { contentText } from './messages.js';
import { apiError, estimateTokens, NOT_FOUND, METHOD_NOT_ALLOWED, type HermesReply } from './responses.js';
import { nativeSessionId, permissiveIdError } from './sessions.js';
import type { HermesRequest, HermesSession } from './types.js';

function sessionJson(id: string, s: HermesSession): Record<string, unknown> {
  return { id, source: 'api_server', message_count: s.history.length, parent_session_id: s.parentId };
}

const sessionNotFound = (): HermesReply => apiError(404, 'Session not found', 'invalid_request_error', 'session_not_found');

export async function handleSessionsApi(engine: HermesEngine, rec: HermesRequest, body: any): Promise<HermesReply> {
  const m = /^\/api\/sessions(?:\/([^/]+))?(?:\/(chat|messages))?\/?$/.exec(rec.path);
  if (!m) return NOT_FOUND;
  const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const action = m[2];
  const sessions = engine.store.sessions;

  if (id === undefined) {
    if (rec.method !== 'POST') return METHOD_NOT_ALLOWED;
    const newId = typeof body?.id === 'string' && body.id !== '' ? body.id : nativeSessionId();
    const invalid = permissiveIdError(newId);
    if (invalid) return invalid;
    if (sessions.has(newId)) return apiError(409, `Session ${newId} already exists`, 'invalid_request_error', 'session_exists');
    const session = engine.store.getOrCreate(newId, 'sessions_api');
    return { kind: 'json', status: 201, body: { object: 'hermes.session', session: { ...sessionJson(newId, session), title: body?.title ?? null } } };
  }

  const session = sessions.get(id);
  if (action === undefined) {
    if (rec.method === 'GET') return session ? { kind: 'json', status: 200, body: { object: 'hermes.session', session: sessionJson(id, session) } } : sessionNotFound();
    if (rec.method === 'DELETE') {
      if (!session) return sessionNotFound();
      sessions.delete(id);
      return { kind: 'json', status: 200, body: { object: 'hermes.session.deleted', id, deleted: true } };
    }
    return METHOD_NOT_ALLOWED;
  }
  if (action === 'messages') {
    if (rec.method !== 'GET') return METHOD_NOT_ALLOWED;
    return session ? { kind: 'json', status: 200, body: { object: 'list', data: session.history } } : sessionNotFound();
  }

  if (rec.method !== 'POST') return METHOD_NOT_ALLOWED;
  if (!session) return sessionNotFound();
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
