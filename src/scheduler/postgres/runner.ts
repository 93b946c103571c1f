import { run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import type { Logger } from '../../logger.js';
import type { QueueConnection } from './connection.js';
import { graphileLogger } from './graphile-logger.js';
import { TURN_TASK } from './queue-name.js';
import type { WorkerRegistry } from './worker-registry.js';

declare global {
  namespace GraphileConfig {
    interface Plugins {
      ChatwootHermesWorkerRegistry: true;
    }
  }
}

export interface RunnerOptions {
  queue: QueueConnection;
  concurrency: number;
  pollMs: number;
  log: Logger;
  events: WorkerEvents;
  /** The one task: work a conversation (queue-name.ts TURN_TASK). */
  turnTask: Task;
  registry: WorkerRegistry;
}

/** Starts graphile-worker's pool of workers, each registered (for heartbeats) before its first job. */
export function startRunner(opts: RunnerOptions): Promise<Runner> {
  const { registry } = opts;
  return run({
    pgPool: opts.queue.pool,
    schema: opts.queue.workerSchema,
    concurrency: opts.concurrency,
    pollInterval: opts.pollMs,
    // Node's clock, like the due times the store computes (Date.now()): a job never wakes "early".
    useNodeTime: true,
    noHandleSignals: true, // main.ts owns SIGTERM: drain, then close the pool
    logger: graphileLogger(opts.log),
    events: opts.events,
    taskList: { [TURN_TASK]: opts.turnTask },
    parsedCronItems: [],
    preset: {
      plugins: [
        {
          name: 'ChatwootHermesWorkerRegistry',
          version: '1.0.0',
          description: 'registers each worker (for heartbeats) before it takes its first job',
          worker: { hooks: { startWorker: async (_ctx, event) => registry.register(event.worker.workerId) } },
        },
      ],
    },
  });
}
