import Router from '@koa/router';
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { z } from 'zod';
import type { PanelAccess } from '../dashboard/access.js';
import { PANEL_ACTIONS, type PanelAction, type PanelActions } from '../dashboard/actions.js';
import { reportedAgentSchema, toReportedAgent } from '../dashboard/agent.js';
import type { Asset } from '../dashboard/assets.js';
import { PANEL_TURNS, toPanelView } from '../dashboard/view.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

export const PANEL_KEY_HEADER = 'x-panel-key';

export interface DashboardDeps {
  store: Pick<Store, 'panelView'>;
  access: PanelAccess;
  actions: Pick<PanelActions, 'run'>;
  assets: Map<string, Asset>;
  /** CHATWOOT_URL: the one origin allowed to frame the panel. */
  chatwootUrl: string;
  log: Logger;
}

/**
 * The panel's page is static and holds nothing secret; its data comes from the JSON API, which only
 * the account's key opens. Everything is served by the bot under a strict Content-Security-Policy:
 * its own files only, no inline script or style, and only Chatwoot may frame it.
 */
export function contentSecurityPolicy(chatwootUrl: string): string {
  const chatwoot = new URL(chatwootUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${chatwoot}`,
  ].join('; ');
}

const actionBody = z.object({ agent: reportedAgentSchema.optional() });
const id = (s: string | undefined): number | null => (s && /^[1-9]\d{0,15}$/.test(s) ? Number(s) : null);

export function dashboardRouter(deps: DashboardDeps): Router {
  const router = new Router({ prefix: '/dashboard' });
  const csp = contentSecurityPolicy(deps.chatwootUrl);

  router.use(async (ctx, next) => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    await next();
  });

  router.get('/', (ctx) => serve(ctx, deps.assets.get('index.html')));
  router.get('/panel.js', (ctx) => serve(ctx, deps.assets.get('panel.js')));
  router.get('/panel.css', (ctx) => serve(ctx, deps.assets.get('panel.css')));

  const guard = (action: boolean): Router.Middleware => async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    const accountId = id(ctx.params.account);
    const conversationId = id(ctx.params.conversation);
    if (accountId === null || conversationId === null) {
      ctx.status = 400;
      ctx.body = { error: 'account and conversation must be positive integers' };
      return;
    }
    const key = ctx.get(PANEL_KEY_HEADER) || undefined;
    const verdict = await deps.access.check({ client: ctx.ip, accountId, key, action });
    if (!verdict.ok) {
      if (verdict.retryAfterS) ctx.set('Retry-After', String(verdict.retryAfterS));
      ctx.status = verdict.status;
      ctx.body = { error: verdict.status === 401 ? 'wrong or missing panel key for this account' : 'too many requests' };
      // Never the key: only that one was refused, and from where.
      deps.log.warn({ account: accountId, client: ctx.ip, status: verdict.status }, 'bot panel request refused');
      return;
    }
    ctx.state.key = { accountId, conversationId };
    await next();
  };

  router.get('/api/accounts/:account/conversations/:conversation', guard(false), async (ctx) => {
    const key = ctx.state.key;
    const now = Date.now();
    ctx.body = toPanelView(key, await deps.store.panelView(key, PANEL_TURNS), now);
  });

  router.post(
    '/api/accounts/:account/conversations/:conversation/actions/:action',
    guard(true),
    bodyParser({ enableTypes: ['json'], jsonLimit: '4kb', strict: true }),
    async (ctx) => {
      const action = ctx.params.action as PanelAction;
      const body = actionBody.safeParse(ctx.request.body ?? {});
      if (!PANEL_ACTIONS.includes(action) || !body.success) {
        ctx.status = 400;
        ctx.body = { error: `unknown action or body; actions: ${PANEL_ACTIONS.join(', ')}` };
        return;
      }
      const note = await deps.actions.run({ key: ctx.state.key, action, agent: toReportedAgent(body.data.agent), now: Date.now() });
      ctx.body = { ok: true, action, note };
    },
  );
  return router;
}

function serve(ctx: Koa.Context, asset: Asset | undefined): void {
  if (!asset) {
    ctx.status = 404;
    return;
  }
  ctx.type = asset.type;
  // The page changes with a release only; a short cache keeps a restart's new page visible soon.
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.body = asset.body;
}
