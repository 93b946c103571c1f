import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from '../../logger.js';

/**
 * graphile-worker's log lines, through the bot's logger. Its `info` lines are per job ("Completed
 * task 42 …"), so they go to debug; its metadata holds whole job and worker objects, so only the
 * scope (worker and job ids) and an error message are kept.
 */
export function graphileLogger(log: Logger): GraphileLogger {
  const queueLog = log.child({ component: 'job-queue' });
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields: Record<string, unknown> = { ...pickScalars(scope) };
    const error = meta?.error;
    if (error instanceof Error) fields.err = error.message;
    switch (level as string) {
      case 'error':
        queueLog.error(fields, message);
        break;
      case 'warning':
        queueLog.warn(fields, message);
        break;
      case 'info':
        queueLog.debug(fields, message);
        break;
      default:
        queueLog.trace(fields, message);
    }
  });
}

function pickScalars(scope: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(scope)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
