/**
 * Hermes misbehaving while customers write: gone entirely for a while (connections refused,
 * as when its host restarts), or answering 429 with Retry-After to every turn (its
 * max_concurrent_runs, or a provider's rate limit passed through). Both start a quarter into the
 * workload and heal by themselves.
 */
import { tooManyRuns } from '../../test/fakes/hermes/responses.js';
import type { Fault } from '../lib/harness.js';

const COMPLETIONS = (method: string, path: string) => method === 'POST' && path === '/v1/chat/completions';

export function hermesOutage(ms: number): Fault {
  return {
    name: `Hermes down ${ms / 1000} s`,
    during: async (world) => {
      await sleep(world.spanMs / 4);
      await world.hermesProxy.setDown(true);
      await sleep(ms);
      await world.hermesProxy.setDown(false);
      return { 'Hermes refused connections for (s)': ms / 1000 };
    },
  };
}

export function hermes429Storm(ms: number): Fault {
  const reply = tooManyRuns(1);
  if (reply.kind !== 'json') throw new Error('tooManyRuns is a JSON reply');
  return {
    name: `Hermes 429 storm ${ms / 1000} s`,
    during: async (world) => {
      await sleep(world.spanMs / 4);
      world.hermesProxy.setStorm({ match: COMPLETIONS, answer: () => ({ status: 429, headers: { 'retry-after': '2' }, body: reply.body }) });
      await sleep(ms);
      world.hermesProxy.setStorm(null);
      return { 'Hermes 429 answered': world.hermesProxy.stormed };
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
