import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import type { BotMetrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import { withinDeadline } from '../util/deadline.js';
import { STORE_WAIT_MS } from './deadline.js';
import { ackTiming } from './ack-timing.js';
import { dashboardRouter, type DashboardDeps } from './dashboard.js';
import { errorEdge } from './errors.js';
import { METRICS_PATH, metricsHandler } from './metrics-route.js';
import { webhookHandler, type WebhookDeps } from './webhook.js';

export const WEBHOOK_PATH = '/chatwoot/webhook';
export const BODY_LIMIT = '1mb';

/**
 * The Koa app, without listen(): main.ts and the tests bind it. The body is read as text so the
 * signature is checked against the exact bytes Chatwoot signed, before any JSON parsing.
 */
export function createApp(deps: WebhookDeps & { store: Pick<Store, 'ping' | 'kind'>; metrics?: BotMetrics | undefined; metricsToken?: string | undefined; dashboard?: DashboardDeps }): Koa {
  const app = new Koa();
  app.proxy = true;
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // Ready = the store can write durably now. A full disk or an unreachable database makes this 503
  // while it lasts and 200 again once it has passed (nothing here needs a restart); a store that
  // hangs is reported after STORE_WAIT_MS rather than holding the probe.
  router.get('/readyz', async (ctx) => {
    let problem: string;
    try {
      const settled = await withinDeadline(deps.store.ping(), STORE_WAIT_MS);
      if (settled.done) {
        ctx.body = { status: 'ready', store: deps.store.kind };
        return;
      }
      problem = 'the store did not answer in time';
    } catch (error) {
      problem = String(error);
    }
    deps.log.error({ err: problem }, 'readiness check failed: store unusable');
    ctx.status = 503;
    ctx.body = { status: 'unavailable', store: deps.store.kind };
  });
  if (deps.metrics) router.get(METRICS_PATH, metricsHandler(deps.metrics, deps.metricsToken));
  const timing = deps.metrics ? [ackTiming(deps.metrics)] : [];
  router.post(
    WEBHOOK_PATH,
    ...timing,
    bodyParser({
      enableTypes: ['text'],
      extendTypes: { text: ['application/json', 'application/*+json', 'text/plain'] },
      textLimit: BODY_LIMIT,
    }),
    webhookHandler(deps),
  );

  // The page's files are addressed relative to /dashboard/; the fragment (the key) survives a redirect.
  // (The router matches '/dashboard/' here too, unless told otherwise: that one is the panel's.)
  if (deps.dashboard) router.get('/dashboard', (ctx, next) => (ctx.path === '/dashboard' ? ctx.redirect('/dashboard/') : next()));

  app.use(errorEdge(deps.log));
  app.use(router.routes());
  app.use(router.allowedMethods());
  if (deps.dashboard) {
    const panel = dashboardRouter(deps.dashboard);
    app.use(panel.routes());
    app.use(panel.allowedMethods());
  }
  return app;
}
