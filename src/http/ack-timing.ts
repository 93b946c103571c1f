import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import type { BotMetrics } from '../metrics/metrics.js';

/**
 * Times each webhook answer, from the request's arrival to the moment the answer has left, whatever
 * the status (the error edge's answers too). It adds no await to the ack: the observation runs on the
 * response's `close` event. `close` rather than `finish`, because `finish` never comes when the caller
 * hangs up first — and Chatwoot hanging up at 5 s is the case this histogram exists to show (status
 * `aborted`, with the time Chatwoot waited).
 */
export function ackTiming(metrics: Pick<BotMetrics, 'ack'>): Middleware {
  return (ctx, next) => {
    const started = performance.now();
    ctx.res.once('close', () => metrics.ack((performance.now() - started) / 1000, ctx.res.writableFinished ? ctx.status : 'aborted'));
    return next();
  };
}
