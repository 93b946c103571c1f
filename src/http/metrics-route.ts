import type { Context } from 'koa';
import { tokenMatches } from '../chatwoot/signature.js';
import type { BotMetrics } from '../metrics/metrics.js';

export const METRICS_PATH = '/metrics';

/**
 * Whether a request may read /metrics: always when no METRICS_TOKEN is set, else only with
 * `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time (a timing difference would let
 * someone on the internet guess the token byte by byte). The token is never logged or echoed.
 */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return tokenMatches(match?.[1], token);
}

/** GET /metrics: the Prometheus text format, 401 without the right bearer token when one is set. */
export function metricsHandler(metrics: Pick<BotMetrics, 'render' | 'contentType'>, token: string | undefined) {
  return async (ctx: Context): Promise<void> => {
    if (!metricsAllowed(ctx.get('authorization') || undefined, token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: 'missing or wrong bearer token (METRICS_TOKEN)' };
      return;
    }
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  };
}
