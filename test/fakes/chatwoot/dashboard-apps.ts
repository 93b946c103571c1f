/**
 * Dashboard Apps, as Chatwoot v4.15.1 serves them, and the conversation screen that frames them.
 *
 * REST (dashboard_apps_controller.rb, routes.rb `resources :dashboard_apps, only: [:index, :show,
 * :create, :update, :destroy]`): no Pundit policy, so any user of the account (admin or agent); not in
 * BOT_ACCESSIBLE_ENDPOINTS, so a bot token gets 401. `params.require(:dashboard_app).permit(:title,
 * content: [:url, :type])`; a missing `dashboard_app` is ParameterMissing → 422 {error}. The model
 * (dashboard_app.rb) validates content against a JSON schema: a non-empty array of {type: 'frame',
 * url: ^https?://}; anything else → RecordInvalid → 422 {message: 'Content : Invalid data',
 * attributes: ['content']}. No presence validation on title: a missing one hits the NOT NULL column
 * (500). Views: _dashboard_app.json.jbuilder = {id, title, content, created_at}; index an array.
 *
 * Host page: Chatwoot's dashboard (same origin as the API) at /app/accounts/:a/conversations/:c,
 * reduced to what DashboardApp/Frame.vue does: one iframe per app `frame` item; on the iframe's load,
 * and on each 'chatwoot-dashboard-app:fetch-info' message while visible, it posts
 * JSON.stringify({event: 'appContext', data: {conversation, contact, currentAgent}}) with target '*'.
 */
import { findRoute, type Reply, type Route, type RouteContext } from './routes.js';
import { ADMIN_USER, conversationJson } from './presenters.js';
import type { ChatwootState } from './state.js';

export interface DashboardAppRecord {
  id: number;
  accountId: number;
  title: string;
  content: Array<{ url: string; type: string }>;
  createdAt: string;
}

export class DashboardApps {
  readonly apps = new Map<number, DashboardAppRecord>();
  private nextId = 1;

  add(app: Omit<DashboardAppRecord, 'id' | 'createdAt'>): DashboardAppRecord {
    const record = { ...app, id: this.nextId++, createdAt: new Date().toISOString() };
    this.apps.set(record.id, record);
    return record;
  }

  inAccount(accountId: number): DashboardAppRecord[] {
    return [...this.apps.values()].filter((a) => a.accountId === accountId).sort((a, b) => a.id - b.id);
  }
}

function appJson(app: DashboardAppRecord): Record<string, unknown> {
  return { id: app.id, title: app.title, content: app.content, created_at: app.createdAt };
}

/** DashboardApp#validate_content's schema, by hand: a non-empty array of {type: 'frame', url: http(s)}. */
function validContent(content: unknown): content is Array<{ url: string; type: string }> {
  if (!Array.isArray(content) || content.length === 0) return false;
  return content.every((item) => {
    if (typeof item !== 'object' || item === null) return false;
    const { url, type } = item as Record<string, unknown>;
    return type === 'frame' && typeof url === 'string' && /^https?:\/\/\S+$/.test(url) && URL.canParse(url);
  });
}

/** Strong parameters: only title and content items' url and type survive. */
function permitted(body: any): { title?: unknown; content?: unknown } | null {
  const app = body?.dashboard_app;
  if (typeof app !== 'object' || app === null || Object.keys(app).length === 0) return null;
  const out: { title?: unknown; content?: unknown } = {};
  if ('title' in app) out.title = app.title;
  if ('content' in app) out.content = Array.isArray(app.content) ? app.content.map((i: any) => ({ url: i?.url, type: i?.type })) : app.content;
  return out;
}

const MISSING = { status: 422, json: { error: 'param is missing or the value is empty: dashboard_app' } };
const INVALID = { status: 422, json: { message: 'Content : Invalid data', attributes: ['content'] } };
const NOT_FOUND: Reply = { status: 404, json: { error: 'Resource could not be found' } };

function save(apps: DashboardApps, c: RouteContext, existing: DashboardAppRecord | null): Reply {
  const p = permitted(c.body);
  if (!p) return MISSING;
  const title = 'title' in p ? p.title : existing?.title;
  const content = 'content' in p ? p.content : existing?.content;
  if (!validContent(content)) return INVALID;
  if (typeof title !== 'string') return { status: 500, json: { status: 500, error: 'Internal Server Error' } };
  if (existing) {
    Object.assign(existing, { title, content });
    return { status: 200, json: appJson(existing) };
  }
  return { status: 200, json: appJson(apps.add({ accountId: c.params.account!, title, content })) };
}

export function dashboardAppRoutes(apps: DashboardApps): Route[] {
  const base = /^\/api\/v1\/accounts\/(?<account>\d+)\/dashboard_apps\/?$/;
  const one = /^\/api\/v1\/accounts\/(?<account>\d+)\/dashboard_apps\/(?<id>\d+)\/?$/;
  const find = (c: RouteContext): DashboardAppRecord | null => {
    const app = apps.apps.get(c.params.id!);
    return app && app.accountId === c.params.account ? app : null;
  };
  const update = (c: RouteContext): Reply => {
    const app = find(c);
    return app ? save(apps, c, app) : NOT_FOUND;
  };
  return [
    { method: 'GET', pattern: base, bot: false, handle: (c) => ({ status: 200, json: apps.inAccount(c.params.account!).map(appJson) }) },
    { method: 'POST', pattern: base, bot: false, handle: (c) => save(apps, c, null) },
    { method: 'GET', pattern: one, bot: false, handle: (c) => (find(c) ? { status: 200, json: appJson(find(c)!) } : NOT_FOUND) },
    { method: 'PATCH', pattern: one, bot: false, handle: update },
    { method: 'PUT', pattern: one, bot: false, handle: update },
    {
      method: 'DELETE',
      pattern: one,
      bot: false,
      handle: (c) => {
        const app = find(c);
        if (!app) return NOT_FOUND;
        apps.apps.delete(app.id);
        return { status: 204 };
      },
    },
  ];
}

export function findDashboardAppRoute(apps: DashboardApps, method: string, path: string): ReturnType<typeof findRoute> {
  return findRoute(method, path, dashboardAppRoutes(apps));
}

const HOST_PATH = /^\/app\/accounts\/(\d+)\/conversations\/(\d+)\/?$/;

/**
 * The conversation screen with the account's Dashboard Apps framed, or null when `path` is not one.
 * `agent` is who Chatwoot says is signed in (Frame.vue's currentAgent: id, name, email).
 */
export function hostPage(apps: DashboardApps, state: ChatwootState, req: { path: string; agent?: { id: number; name: string; email: string } }): string | null {
  const m = HOST_PATH.exec(req.path);
  if (!m) return null;
  const conv = state.conversation(Number(m[1]), Number(m[2]));
  const conversation = conversationJson(state, conv);
  const context = { conversation, contact: (conversation.meta as { sender: unknown }).sender, currentAgent: req.agent ?? ADMIN_USER };
  const frames = apps
    .inAccount(conv.accountId)
    .flatMap((app) => app.content.filter((c) => c.type === 'frame'))
    .map((c, i) => `<iframe id="dashboard-app--frame-0-${i}" title="Dashboard app ${i}" src="${escapeAttr(c.url)}"></iframe>`)
    .join('\n');
  // </script> cannot appear inside JSON.stringify's output unescaped: '<' is written as \u003c.
  const data = JSON.stringify({ event: 'appContext', data: context }).replace(/</g, '\\u003c');
  // The empty icon keeps the browser from asking for /favicon.ico, which would count as an unknown API path.
  return `<!doctype html><html><head><meta charset="utf-8"><title>Chatwoot</title><link rel="icon" href="data:,">
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%}</style></head>
<body>${frames}
<script>
const appContext = ${JSON.stringify(data)};
const frames = [...document.querySelectorAll('iframe')];
const send = (frame) => frame.contentWindow.postMessage(appContext, '*');
frames.forEach((frame) => frame.addEventListener('load', () => send(frame)));
window.addEventListener('message', (event) => {
  if (event.data === 'chatwoot-dashboard-app:fetch-info') send(frames[0]);
});
</script></body></html>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
