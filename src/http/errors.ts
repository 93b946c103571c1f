import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';

/** The error edge: every failure becomes a small JSON answer; stack traces stay in the log. */
export function errorEdge(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const e = error as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = e.status ?? e.statusCode ?? 500;
      ctx.status = status;
      if (status === 413) ctx.body = { error: 'payload too large (limit 1 MiB)' };
      else if (status < 500 && e.expose) ctx.body = { error: e.message ?? 'bad request' };
      else ctx.body = { error: status < 500 ? 'bad request' : 'internal error' };
      if (status >= 500) log.error({ err: error, path: ctx.path }, 'request failed');
      else log.warn({ status, path: ctx.path, reason: e.message }, 'request refused');
    }
  };
}
