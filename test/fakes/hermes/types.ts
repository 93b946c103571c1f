/** Public types of the fake Hermes API server (see fake-hermes.ts for the behaviour). */

export type SessionMode = 'permissive' | 'strict';

export interface ChatEntry {
  role: string;
  content: unknown;
}

export interface ReplyInput {
  /** Session the turn runs in: the header id, or the derived `api-…` id for a header-less turn. */
  sessionId: string | null;
  /** Text of the new input (the last user entry of the body). */
  userText: string;
  /** The new input's content as sent (string or parts). */
  userContent: unknown;
  /** System messages of the body joined with "\n" (ephemeral, not stored), null if none. */
  system: string | null;
  /** What the agent sees before the new input: stored history with a session header, body history without. */
  history: ChatEntry[];
  /** 1-based turn number within the session (shared sessions, e.g. #7484 collisions, share the count). */
  turn: number;
}

export type ReplyFn = (input: ReplyInput) => string | Promise<string>;

export interface FakeHermesOptions {
  /** API_SERVER_KEY (default 'hermes-key'); null = none configured: no auth, but session headers → 403. */
  apiKey?: string | null;
  /** Session id validation of the build (hermes.md §5; default 'permissive'). */
  sessionMode?: SessionMode;
  /** Strict mode: every N turns of a session, compression rotates it to a child id that is echoed back. */
  rotateOnTurn?: number;
  /** List the session headers in /v1/capabilities (default true). */
  advertiseSessionHeader?: boolean;
  /** Serve and advertise /api/sessions (default false). */
  advertiseSessionsApi?: boolean;
  /** max_concurrent_runs (default 10, 0 = off): over it → 429 rate_limit_exceeded + Retry-After: 1. */
  maxConcurrentRuns?: number;
  /** Time an agent run takes, per completion. */
  delayMs?: number | (() => number);
  /** The agent (default: `Resposta ${turn}: ${userText}`). */
  reply?: ReplyFn;
  /** API_SERVER_MODEL_NAME (default 'hermes-agent'). */
  modelName?: string;
  /** false = an older build without /v1/capabilities (404). Default true. */
  capabilitiesEndpoint?: boolean;
  /** true = a build before PR #4478: X-Hermes-Session-Id is ignored, every turn is stateless. Default false. */
  ignoreSessionHeader?: boolean;
  /**
   * `platform_toolsets.api_server` of config.yaml; absent = Hermes' default (terminal, file, code
   * execution, delegation, cron… enabled). GET /v1/toolsets reports it.
   */
  platformToolsets?: string[];
  /** false = a build without GET /v1/toolsets (404). Default true. */
  toolsetsEndpoint?: boolean;
  /** Idempotency cache TTL (default 300 000 ms, as Hermes). */
  idempotencyTtlMs?: number;
}

export type FailureItem =
  | 'incomplete'
  | 'partial'
  | 'server_error'
  | 'rate_limited'
  | 'reset'
  | 'auth'
  | { status: number; body?: unknown; headers?: Record<string, string> };

export interface HermesRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON body, or null. */
  body: any;
  /** X-Hermes-Session-Id sent, null if absent or empty. */
  sessionIdSent: string | null;
  /** X-Hermes-Session-Id answered, null if none. */
  sessionIdReturned: string | null;
  /** X-Hermes-Session-Key sent, null if absent. */
  sessionKey: string | null;
  /** Answered status; 0 while in flight or when the connection was dropped. */
  status: number;
  /** Date.now() at arrival. */
  at: number;
  idempotencyKey: string | null;
  /** Text of the input the run used (the body's last user entry); null if no run. */
  userText: string | null;
  /** Body entries (other than system and the new input) ignored because the session history replaced them. */
  ignoredBodyEntries: number;
  /** Answered from the idempotency cache without running. */
  replayed: boolean;
  /** The failNext item that answered this request, if any. */
  injected: string | null;
}

export interface HermesSession {
  history: ChatEntry[];
  turns: number;
  /** The session this one was rotated from by compression, if any. */
  parentId: string | null;
  /** The child this session was rotated into, if any. */
  rotatedTo: string | null;
  /** Only sessions created by the API server are usable with the header in strict builds. */
  source: 'api_server' | 'webhook';
  /** Derived (`api-…`), via header, via /api/sessions, rotation, or a webhook-route delivery (gateway). */
  origin: 'derived' | 'header' | 'sessions_api' | 'rotation' | 'webhook';
  /** state.db columns the gateway fills for routed platforms (gateway/session.py `db_create_kwargs`). */
  userId?: string | null;
  chatId?: string | null;
  sessionKey?: string | null;
  /** Epoch seconds, as state.db keeps them. */
  startedAt?: number;
  lastActive?: number;
  endedAt?: number | null;
  endReason?: string | null;
}

/** One Chatwoot conversation as the older webhook-route setup left it in Hermes (hermes.md §10). */
export interface WebhookConversationSeed {
  /** Hermes webhook route, e.g. `captain-inbox-7`. */
  route: string;
  /** The Captain payload of the first delivery (conversation_id, account_id, inbox_id, message…). */
  payload: Record<string, unknown>;
  /** Each delivery's user text and the agent's answer. */
  exchanges: Array<[user: string, assistant: string]>;
  /** Epoch seconds of the first delivery (default: now - 1 day). */
  startedAt?: number;
}

export interface FakeHermes {
  url: string;
  requests: HermesRequest[];
  sessions: Map<string, HermesSession>;
  /** Recorded POST /v1/chat/completions requests. */
  completions(): HermesRequest[];
  /** Agent runs actually executed (reply function called); excludes idempotent replays and injected failures. */
  readonly runs: number;
  /** Runs in progress now, and the most seen at once. */
  readonly activeRuns: number;
  readonly peakConcurrentRuns: number;
  failNext(items: FailureItem[]): void;
  setReply(fn: ReplyFn): void;
  setDelay(ms: number | (() => number)): void;
  /** true = every connection is dropped without an answer (Hermes down or hung). */
  setDown(down: boolean): void;
  /** true = the gateway drains (shutdown/restart): agent endpoints answer 503 gateway_draining, Retry-After: 1. */
  setDraining(draining: boolean): void;
  /**
   * Puts a conversation of the older webhook-route setup into this Hermes as its gateway stored it:
   * chat id `webhook:<route>:session:<conversation_id>`, a gateway session id, source "webhook".
   * Returns the session id and the gateway session key it is mapped from.
   */
  seedWebhookConversation(seed: WebhookConversationSeed): { sessionId: string; chatId: string; sessionKey: string };
  waitFor(predicate: (f: FakeHermes) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
