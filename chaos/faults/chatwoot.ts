/**
 * Chatwoot misbehaving while the bot works: a storm of 500/503/429 (with Retry-After) on the messages
 * API only (what a Chatwoot under load or behind a rate limit answers), and Chatwoot gone entirely
 * (connections refused) while hand-offs are under way: the hand-off's note and its `open` status
 * must still reach Chatwoot once it is back.
 */
import type { Fault } from '../lib/harness.js';
import { sleep } from './hermes.js';

const MESSAGES = (method: string, path: string) => method === 'POST' && /^\/api\/v1\/accounts\/\d+\/conversations\/\d+\/messages$/.test(path);
const STORM_ANSWERS = [
  { status: 500, body: { status: 500, error: 'Internal Server Error' } },
  { status: 503, body: { error: 'Service Unavailable' } },
  { status: 429, headers: { 'retry-after': '2' }, body: { error: 'Too many requests' } },
];

export function chatwootStorm(ms: number): Fault {
  return {
    name: `Chatwoot 5xx/429 storm ${ms / 1000} s`,
    during: async (world) => {
      await sleep(world.spanMs / 4);
      world.chatwootProxy.setStorm({ match: MESSAGES, answer: (n) => STORM_ANSWERS[n % STORM_ANSWERS.length]! });
      await sleep(ms);
      world.chatwootProxy.setStorm(null);
      return { 'message POSTs refused': world.chatwootProxy.stormed };
    },
  };
}

export function chatwootDown(ms: number): Fault {
  return {
    name: `Chatwoot down ${ms / 1000} s`,
    during: async (world) => {
      await sleep(world.spanMs / 4);
      await world.chatwootProxy.setDown(true);
      await sleep(ms);
      await world.chatwootProxy.setDown(false);
      return { 'Chatwoot refused connections for (s)': ms / 1000 };
    },
  };
}
