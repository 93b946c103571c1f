import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import type { BotMetrics } from '../metrics/metrics.js';

/**
 * Times each webhook answer, from the request's arrival to the last byte of the answer handed to the
 * socket, whatever the status (the error edge's answers too). It adds no await to the ack: the
 * observation runs on the response's `finish` event, after the answer has left.
 */
export function ackTiming(metrics: Pick<BotMetrics, 'ack'>): Middleware {
  return (ctx, next) => {
    const started = performance.now();
    ctx.res.once('finish', () => metrics.ack((performance.now() - started) / 1000, ctx.status));
    return next();
  };
}
