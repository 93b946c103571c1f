/**
 * Contract checks against Chatwoot's own OpenAPI 3.1 spec (shared/contracts/chatwoot-openapi.json).
 *
 * The spec is the documented contract; where Chatwoot v4.15 itself accepts requests the spec rejects (or
 * serves routes the spec omits), the differences are listed in KNOWN_MISMATCHES below so tests check
 * against what Chatwoot really does, and each exception stays visible in one place.
 *
 * Built for hot loops (the fake validates every request it receives, benchmarks send thousands): the spec
 * is parsed once per path, each operation's schema is compiled on first use and cached.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { chatwootSpecPath } from './shared.js';

export interface OperationMatch {
  /** The spec's path template, e.g. `/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages`. */
  pathTemplate: string;
  /** The OpenAPI operation object (a synthetic one, with `x-not-in-spec: true`, for routes the spec omits). */
  operation: any;
}

export interface ContractValidator {
  /** Violations of the request against the spec ([] = valid): unknown path/method, body not matching. */
  validateRequest(method: string, path: string, body: unknown): string[];
  /** The operation a concrete path (query string allowed) maps to, or null if path or method is unknown. */
  matchOperation(method: string, path: string): OperationMatch | null;
  /** Violations of a response body against the documented schema for that status ([] = valid). */
  validateResponse(method: string, path: string, status: number, body: unknown): string[];
}

const SPEC_KEY = 'chatwoot-openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Where Chatwoot v4.15 and its spec disagree (contracts/README.md, chatwoot.md §5–§6). Requests are
 * rewritten into their spec-valid equivalent before validation, so only these known forms pass.
 */
export const KNOWN_MISMATCHES = {
  /** Routes in config/routes.rb that the spec omits. */
  extraOperations: [
    { method: 'post', path: '/api/v1/accounts/{account_id}/agent_bots/{id}/reset_secret', operationId: 'reset-agent-bot-secret' },
    { method: 'post', path: '/api/v1/accounts/{account_id}/agent_bots/{id}/reset_access_token', operationId: 'reset-agent-bot-access-token' },
    { method: 'delete', path: '/api/v1/accounts/{account_id}/agent_bots/{id}/avatar', operationId: 'delete-agent-bot-avatar' },
    // `get '/api', to: 'api#index'`: public, answers {version, timestamp, queue_services, data_services}.
    { method: 'get', path: '/api', operationId: 'api-index' },
    // `resources :dashboard_apps`: the spec has no dashboard_apps path at all. Their bodies are checked
    // against DASHBOARD_APP_BODY, derived from the controller's permitted params (below).
    { method: 'get', path: '/api/v1/accounts/{account_id}/dashboard_apps', operationId: 'list-dashboard-apps' },
    { method: 'post', path: '/api/v1/accounts/{account_id}/dashboard_apps', operationId: 'create-dashboard-app', requestSchema: 'DASHBOARD_APP_BODY' },
    { method: 'get', path: '/api/v1/accounts/{account_id}/dashboard_apps/{id}', operationId: 'get-dashboard-app' },
    { method: 'patch', path: '/api/v1/accounts/{account_id}/dashboard_apps/{id}', operationId: 'update-dashboard-app', requestSchema: 'DASHBOARD_APP_BODY' },
    { method: 'put', path: '/api/v1/accounts/{account_id}/dashboard_apps/{id}', operationId: 'update-dashboard-app-put', requestSchema: 'DASHBOARD_APP_BODY' },
    { method: 'delete', path: '/api/v1/accounts/{account_id}/dashboard_apps/{id}', operationId: 'delete-dashboard-app' },
  ] as Array<{ method: string; path: string; operationId: string; requestSchema?: keyof typeof EXTRA_REQUEST_SCHEMAS }>,
  /** Request bodies Chatwoot accepts but the spec's schema rejects: key "METHOD template" → normaliser. */
  requestBodies: {
    // `{"agent_bot": null}` detaches the bot (inboxes_controller#set_agent_bot); the spec types it as number.
    'POST /api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot': (b: any) =>
      isObject(b) && b.agent_bot === null ? { ...b, agent_bot: 0 } : b,
    // bot_type is a Rails enum: "webhook" (its only value, what the UI sends) is accepted; the spec says integer.
    'POST /api/v1/accounts/{account_id}/agent_bots': normaliseBotType,
    'PATCH /api/v1/accounts/{account_id}/agent_bots/{id}': normaliseBotType,
    // assignments_controller: `assignee_id: null` / `team_id: null` unassign (find_by(id: nil)); spec: number.
    'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments': (b: any) =>
      isObject(b) ? { ...b, ...(b.assignee_id === null ? { assignee_id: 0 } : {}), ...(b.team_id === null ? { team_id: 0 } : {}) } : b,
  } as Record<string, (body: any) => any>,
  /** Responses Chatwoot sends that the spec does not document: key "METHOD template" → statuses accepted as is. */
  responses: {
    // inboxes_controller#set_agent_bot does `head :ok`: 200 with an empty body; the spec says 204.
    'POST /api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot': [200],
    // 200 `{"agent_bot": {...}}`, or `{}` when none (empty jbuilder block); the spec says 204 + agent_bot.
    'GET /api/v1/accounts/{account_id}/inboxes/{id}/agent_bot': [200],
  } as Record<string, number[]>,
  /** Response bodies Chatwoot sends that the schema rejects: key "METHOD template" → normaliser. */
  responseBodies: {
    // A bot moving pending → open runs bot_handoff!, and `success` is then null; the spec says boolean.
    'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status': (b: any) =>
      isObject(b) && isObject(b.payload) && b.payload.success === null ? { ...b, payload: { ...b.payload, success: true } } : b,
  } as Record<string, (body: any) => any>,
  /** Operations the spec marks user-only that accept an agent bot token (BOT_ACCESSIBLE_ENDPOINTS). */
  botAllowedBeyondSpec: [
    'GET /api/v1/accounts/{account_id}/conversations/{conversation_id}', // since #14655; older builds: 401
    'GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels',
    'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels',
    'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/custom_attributes',
  ],
};

/**
 * Request bodies of routes the spec omits, derived from Chatwoot v4.15.1's controller rather than a
 * spec. A route the spec lacks is a violation ("matches no path in the spec") unless it is listed in
 * extraOperations; a listed one has its body checked against the schema it names here, or not at all
 * when it names none (GET, DELETE, and the agent bot routes, which take no body).
 */
const EXTRA_REQUEST_SCHEMAS = {
  // dashboard_apps_controller.rb: `params.require(:dashboard_app).permit(:title, content: [:url, :type])`.
  // Rails drops unpermitted keys silently; here they are violations, so the bot sends only what counts.
  DASHBOARD_APP_BODY: {
    type: 'object',
    required: ['dashboard_app'],
    additionalProperties: false,
    properties: {
      dashboard_app: {
        type: 'object',
        additionalProperties: false,
        properties: {
          title: { type: 'string' },
          content: {
            type: 'array',
            items: { type: 'object', required: ['url', 'type'], additionalProperties: false, properties: { url: { type: 'string' }, type: { type: 'string' } } },
          },
        },
      },
    },
  },
};

function normaliseBotType(b: any): any {
  return isObject(b) && b.bot_type === 'webhook' ? { ...b, bot_type: 0 } : b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Route {
  template: string;
  /** Literal segment, or null for a `{param}` segment. */
  segments: Array<string | null>;
  literalCount: number;
  /** Lower-case method → operation. */
  operations: Map<string, any>;
}

const cache = new Map<string, ContractValidator>();

/** A validator for the spec at `specPath` (default: the shared Chatwoot contract). Cached per path. */
export function createContractValidator(specPath?: string): ContractValidator {
  const path = resolve(specPath ?? chatwootSpecPath());
  let validator = cache.get(path);
  if (!validator) {
    validator = buildValidator(upgradeNullable(JSON.parse(readFileSync(path, 'utf8'))));
    cache.set(path, validator);
  }
  return validator;
}

function buildValidator(spec: any): ContractValidator {
  const routesBySize = indexRoutes(spec);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  addFormatsModule.default(ajv);
  // OpenAPI's own formats carry no validation rule for JSON bodies.
  for (const f of ['binary', 'byte', 'int32', 'int64', 'float', 'double', 'password']) ajv.addFormat(f, true);
  // The whole document is one schema resource, so `#/components/...` refs resolve inside it.
  ajv.addSchema(spec, SPEC_KEY);
  const compiled = new Map<string, ValidateFunction>();

  function compileAt(pointer: string[]): ValidateFunction {
    const fragment = pointer.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
    try {
      return ajv.compile({ $ref: `${SPEC_KEY}#/${fragment}` });
    } catch (err) {
      throw new Error(`Cannot compile the spec schema at ${pointer.join(' > ')}: ${String(err)}`);
    }
  }

  function findRoute(path: string): Route | null {
    const segments = splitPath(path);
    let best: Route | null = null;
    for (const route of routesBySize.get(segments.length) ?? []) {
      if (!route.segments.every((s, i) => s === null || s === segments[i])) continue;
      if (!best || moreSpecific(route, best)) best = route;
    }
    return best;
  }

  function matchOperation(method: string, path: string): OperationMatch | null {
    const route = findRoute(path);
    const operation = route?.operations.get(method.toLowerCase());
    return route && operation ? { pathTemplate: route.template, operation } : null;
  }

  function describeUnmatched(method: string, path: string): string {
    const route = findRoute(path);
    if (!route) return `unknown path: ${method.toUpperCase()} ${stripQuery(path)} matches no path in the spec`;
    const allowed = [...route.operations.keys()].map((m) => m.toUpperCase()).join(', ');
    return `method ${method.toUpperCase()} not in the spec for ${route.template} (allowed: ${allowed})`;
  }

  function validateRequest(method: string, path: string, body: unknown): string[] {
    const match = matchOperation(method, path);
    if (!match) return [describeUnmatched(method, path)];
    const key = `${method.toUpperCase()} ${match.pathTemplate}`;
    const extraSchema = match.operation['x-request-schema'] as object | undefined;
    if (extraSchema) {
      let validateExtra = compiled.get(key);
      if (validateExtra === undefined) compiled.set(key, (validateExtra = ajv.compile(extraSchema)));
      if (validateExtra(body ?? null)) return [];
      return (validateExtra.errors ?? []).map((e) => `${key}: ${formatError('body', e)}`);
    }
    const requestBody = match.operation.requestBody;
    const jsonSchema = requestBody?.content?.['application/json']?.schema;
    if (!jsonSchema) return [];
    if (body === undefined || body === null) {
      return requestBody.required ? [`${key}: request body is required (application/json)`] : [];
    }
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = compileAt(['paths', match.pathTemplate, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema']);
      compiled.set(key, validate);
    }
    const normalise = KNOWN_MISMATCHES.requestBodies[key];
    if (validate(normalise ? normalise(body) : body)) return [];
    return (validate.errors ?? []).map((e) => `${key}: ${formatError('body', e)}`);
  }

  function validateResponse(method: string, path: string, status: number, body: unknown): string[] {
    const match = matchOperation(method, path);
    if (!match) return [describeUnmatched(method, path)];
    const key = `${method.toUpperCase()} ${match.pathTemplate}`;
    if (KNOWN_MISMATCHES.responses[key]?.includes(status)) return [];
    const responses = match.operation.responses ?? {};
    const code = [String(status), `${String(status)[0]}XX`, 'default'].find((c) => c in responses);
    if (!code) {
      // Error statuses Chatwoot answers are often undocumented (401, 422); only an undocumented success is suspect.
      return status >= 200 && status < 300 && !match.operation['x-not-in-spec']
        ? [`${key}: status ${status} not documented (documented: ${Object.keys(responses).join(', ')})`]
        : [];
    }
    if (!responses[code]?.content?.['application/json']?.schema) return [];
    if (body === undefined || body === null) return [`${key}: response ${status} has no JSON body but the spec documents one`];
    const cacheKey = `${key} -> ${code}`;
    let validate = compiled.get(cacheKey);
    if (validate === undefined) {
      validate = compileAt(['paths', match.pathTemplate, method.toLowerCase(), 'responses', code, 'content', 'application/json', 'schema']);
      compiled.set(cacheKey, validate);
    }
    const normalise = KNOWN_MISMATCHES.responseBodies[key];
    if (validate(normalise ? normalise(body) : body)) return [];
    return (validate.errors ?? []).map((e) => `${key} ${status}: ${formatError('response', e)}`);
  }

  return { validateRequest, matchOperation, validateResponse };
}

/**
 * A few schemas still use OpenAPI 3.0's `nullable: true`; Ajv refuses it without a sibling `type`.
 * Rewrite it the 3.1 way (`type: [t, "null"]`) so every operation compiles.
 */
function upgradeNullable(node: any): any {
  if (Array.isArray(node)) node.forEach(upgradeNullable);
  else if (isObject(node)) {
    if (typeof node.nullable === 'boolean') {
      if (node.nullable && typeof node.type === 'string') node.type = [node.type, 'null'];
      delete node.nullable;
    }
    Object.values(node).forEach(upgradeNullable);
  }
  return node;
}

function indexRoutes(spec: any): Map<number, Route[]> {
  const routes = new Map<string, Route>();
  const add = (template: string, method: string, operation: any): void => {
    const segments = splitPath(template).map((s) => (/^\{[^}]+\}$/.test(s) ? null : s));
    const normalised = segments.map((s) => s ?? '{}').join('/');
    // Templates that differ only by a trailing slash or a parameter name are one route; first wins.
    let route = routes.get(normalised);
    if (!route) {
      route = { template, segments, literalCount: segments.filter((s) => s !== null).length, operations: new Map() };
      routes.set(normalised, route);
    }
    if (!route.operations.has(method)) route.operations.set(method, operation);
  };
  for (const [template, item] of Object.entries<any>(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) if (item[method]) add(template, method, item[method]);
  }
  for (const extra of KNOWN_MISMATCHES.extraOperations) {
    const requestSchema = extra.requestSchema ? EXTRA_REQUEST_SCHEMAS[extra.requestSchema] : undefined;
    add(extra.path, extra.method, { operationId: extra.operationId, 'x-not-in-spec': true, responses: {}, ...(requestSchema ? { 'x-request-schema': requestSchema } : {}) });
  }
  const bySize = new Map<number, Route[]>();
  for (const route of routes.values()) {
    const list = bySize.get(route.segments.length) ?? [];
    list.push(route);
    bySize.set(route.segments.length, list);
  }
  return bySize;
}

/** A literal segment beats a parameter (`/contacts/search` over `/contacts/{id}`), earliest difference first. */
function moreSpecific(a: Route, b: Route): boolean {
  for (let i = 0; i < a.segments.length; i++) {
    const aLit = a.segments[i] !== null;
    const bLit = b.segments[i] !== null;
    if (aLit !== bLit) return aLit;
  }
  return false;
}

function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}

function splitPath(path: string): string[] {
  return stripQuery(path).split('/').filter((s) => s !== '');
}

function formatError(where: string, e: ErrorObject): string {
  const at = `${where}${e.instancePath}`;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return `${at} must be one of ${JSON.stringify(params.allowedValues)}`;
  if (e.keyword === 'additionalProperties') return `${at} has unexpected property '${String(params.additionalProperty)}'`;
  return `${at} ${e.message ?? e.keyword}`;
}
