/**
 * A protocol-faithful fake of the Hermes Agent API server (hermes.md §2–§6, §11) on 127.0.0.1: Bearer
 * auth, discovery endpoints, chat completions with both session-id families (permissive / strict),
 * derived-id collisions, Idempotency-Key replay, max_concurrent_runs, and failure injection.
 *
 * Pieces: hermes/completions.ts (the main call), hermes/engine.ts (runs, concurrency), hermes/sessions.ts
 * (ids), hermes/idempotency.ts, hermes/messages.ts (body parsing), hermes/responses.ts (bodies, failures),
 * hermes/sessions-api.ts (/api/sessions).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { waitUntil } from '../helpers/wait.js';
import { BodyTooLargeError, flatHeaders, parseJson, readBody, resetConnection, sendJson, sendText, splitUrl, startLoopbackServer } from './common/http.js';
import { ChatCompletions } from './hermes/completions.js';
import { HermesEngine } from './hermes/engine.js';
import { apiError, gatewayDraining, INVALID_API_KEY, METHOD_NOT_ALLOWED, NOT_FOUND, SESSION_ID_HEADER, SESSION_KEY_HEADER, type HermesReply } from './hermes/responses.js';
import { handleSessionsApi } from './hermes/sessions-api.js';
import { toolsetsReply } from './hermes/toolsets.js';
import { seedWebhookConversation } from './hermes/webhook-route.js';
import type { FakeHermes, FakeHermesOptions, HermesRequest } from './hermes/types.js';

export type * from './hermes/types.js';
export { GATEWAY_NOISE } from './hermes/responses.js';
export { derivedSessionId } from './hermes/sessions.js';

const BODY_LIMIT = 10 * 1024 * 1024;
const HEALTH = { status: 'ok', platform: 'hermes-agent' };

export async function startFakeHermes(opts: FakeHermesOptions = {}): Promise<FakeHermes> {
  const engine = new HermesEngine(opts);
  const completions = new ChatCompletions(engine);
  const requests: HermesRequest[] = [];
  /** The gateway's session_key → session id map (gateway/session.py SessionStore._entries). */
  const gatewayRouting = new Map<string, string>();
  const advertiseHeader = opts.advertiseSessionHeader ?? true;
  const sessionsApi = opts.advertiseSessionsApi ?? false;

  function authorized(req: IncomingMessage): boolean {
    if (engine.apiKey === null) return true;
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(engine.apiKey);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  function capabilities(): Record<string, unknown> {
    const features: Record<string, unknown> = {
      chat_completions: true,
      chat_completions_streaming: true,
      responses_api: true,
      runs_api: true,
      idempotency_key: true,
      max_concurrent_runs: engine.maxConcurrentRuns,
      sessions_api: sessionsApi,
    };
    if (advertiseHeader) {
      features.session_continuity_header = SESSION_ID_HEADER;
      features.session_key_header = SESSION_KEY_HEADER;
    }
    const endpoints: Record<string, string> = {
      health: '/health',
      models: '/v1/models',
      chat_completions: '/v1/chat/completions',
      responses: '/v1/responses',
      runs: '/v1/runs',
    };
    if (sessionsApi) endpoints.sessions = '/api/sessions';
    return { object: 'hermes.api_server.capabilities', platform: 'hermes-agent', model: engine.model, features, endpoints };
  }

  async function route(req: IncomingMessage, rec: HermesRequest, rawBody: string): Promise<HermesReply> {
    const { method, path } = rec;
    if (path === '/health' || path === '/v1/health') {
      return method === 'GET' ? { kind: 'json', status: 200, body: HEALTH } : METHOD_NOT_ALLOWED;
    }
    const known = (path === '/v1/toolsets' && opts.toolsetsEndpoint !== false) || path === '/v1/models' || path === '/v1/chat/completions' || (path === '/v1/capabilities' && opts.capabilitiesEndpoint !== false);
    const isSessions = sessionsApi && /^\/api\/sessions(\/|$)/.test(path);
    if (!known && !isSessions) return NOT_FOUND;
    if (!authorized(req)) return INVALID_API_KEY;
    // Agent turns only (chat completions, session chat): `_admit_api_agent_request` checks auth, then draining.
    const agentTurn = method === 'POST' && (path === '/v1/chat/completions' || /^\/api\/sessions\/[^/]+\/chat(\/stream)?$/.test(path));
    if (agentTurn && engine.draining) return gatewayDraining();
    if (isSessions) return handleSessionsApi(engine, rec, rec.body, new URLSearchParams((req.url ?? '').split('?')[1] ?? ''));
    if (path === '/v1/models') {
      if (method !== 'GET') return METHOD_NOT_ALLOWED;
      return { kind: 'json', status: 200, body: { object: 'list', data: [{ id: engine.model, object: 'model', created: 0, owned_by: 'hermes' }] } };
    }
    if (path === '/v1/toolsets') return method === 'GET' ? toolsetsReply(opts.platformToolsets ?? null) : METHOD_NOT_ALLOWED;
    if (path === '/v1/capabilities') return method === 'GET' ? { kind: 'json', status: 200, body: capabilities() } : METHOD_NOT_ALLOWED;
    if (method !== 'POST') return METHOD_NOT_ALLOWED;
    if (rec.body === null && rawBody.trim() !== '') return apiError(400, 'Invalid JSON in request body', 'invalid_request_error', 'invalid_json');
    return completions.handle(rec, rec.body);
  }

  function send(res: ServerResponse, rec: HermesRequest, reply: HermesReply): void {
    if (reply.kind === 'reset') return resetConnection(res);
    const headers = reply.kind === 'text' ? {} : (reply.headers ?? {});
    rec.sessionIdReturned ??= headers[SESSION_ID_HEADER] ?? null;
    if (reply.kind === 'text') {
      rec.status = reply.status;
      return sendText(res, reply.status, reply.text);
    }
    if (reply.kind === 'json') {
      rec.status = reply.status;
      return sendJson(res, reply.status, reply.body, headers);
    }
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    for (const frame of reply.frames) res.write(frame);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path } = splitUrl(req.url);
    const headers = flatHeaders(req);
    const rec: HermesRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      headers,
      body: null,
      sessionIdSent: headers['x-hermes-session-id']?.trim() || null,
      sessionIdReturned: null,
      sessionKey: headers['x-hermes-session-key'] ?? null,
      status: 0,
      at: Date.now(),
      idempotencyKey: headers['idempotency-key'] ?? null,
      userText: null,
      ignoredBodyEntries: 0,
      replayed: false,
      injected: null,
    };
    requests.push(rec);
    let rawBody: string;
    try {
      rawBody = (await readBody(req, BODY_LIMIT)).toString('utf8');
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      return send(res, rec, apiError(413, 'Request body too large', 'invalid_request_error', 'body_too_large'));
    }
    rec.body = parseJson(rawBody) ?? null;
    if (engine.down) return resetConnection(res);
    const reply = await route(req, rec, rawBody);
    if (server.closed) return;
    send(res, rec, reply);
  }

  const server = await startLoopbackServer(handle);

  const fake: FakeHermes = {
    url: server.url,
    requests,
    sessions: engine.store.sessions,
    completions: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions'),
    get runs() {
      return engine.runs;
    },
    get activeRuns() {
      return engine.active;
    },
    get peakConcurrentRuns() {
      return engine.peak;
    },
    failNext: (items) => {
      engine.failures.push(...items);
    },
    setReply: (fn) => {
      engine.reply = fn;
    },
    setDelay: (ms) => {
      engine.delay = ms;
    },
    setDown: (down) => {
      engine.down = down;
    },
    setDraining: (draining) => {
      engine.draining = draining;
    },
    seedWebhookConversation: (seed) => seedWebhookConversation(engine.store, gatewayRouting, seed),
    waitFor: (predicate, timeoutMs = 5000) =>
      waitUntil(() => predicate(fake), {
        timeoutMs,
        describe: () =>
          `fake-hermes saw ${requests.length} request(s), ${engine.runs} run(s); last: ` +
          requests.slice(-8).map((r) => `${r.method} ${r.path} [${r.sessionIdSent ?? '-'}] → ${r.status}`).join('; '),
      }),
    close: () => server.close(),
  };
  return fake;
}
