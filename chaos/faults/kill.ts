/**
 * kill -9 of the bot, at random moments of three kinds, in turn: mid-accept (a webhook just forwarded
 * to it), mid-Hermes call (a completion request just arrived at Hermes), mid-post (a message POST just
 * arrived at Chatwoot, not yet answered: the bot dies not knowing whether it was stored). The
 * instance is started again at once on the same store. On Postgres three instances run and one at a
 * time is killed (the others keep serving, and take over its work). There, mid-accept kills the
 * instance the webhook went to, but mid-Hermes and mid-post kill a random running one: the fakes
 * cannot tell which instance sent a request (so the victim is that caller one time in three).
 */
import type { Fault, World } from '../lib/harness.js';
import type { Instance } from '../lib/fleet.js';
import { conversationCall } from '../../bench/lib/fakes.js';

type Moment = 'mid-accept' | 'mid-Hermes call' | 'mid-post';
const MOMENTS: Moment[] = ['mid-accept', 'mid-Hermes call', 'mid-post'];

export function killFault(kills: number): Fault {
  return {
    name: `kill -9 ×${kills}`,
    instances: (store) => (store === 'postgres' ? 3 : 1),
    during: async (world) => {
      const counts: Record<string, number> = { 'mid-accept': 0, 'mid-Hermes call': 0, 'mid-post': 0, 'no such moment within 3 s': 0 };
      let armed: ((port: number | null) => void) | null = null;
      world.fakes.onHermes((r) => {
        if (armed && r.method === 'POST' && r.path === '/v1/chat/completions' && moment === 'mid-Hermes call') fire(null);
      });
      world.fakes.onChatwoot((r) => {
        if (armed && r.method === 'POST' && conversationCall(r.path)?.tail === '/messages' && moment === 'mid-post') fire(null);
      });
      let moment: Moment = 'mid-accept';
      const fire = (port: number | null) => {
        const fn = armed;
        armed = null;
        fn?.(port);
      };
      const gap = world.spanMs / kills;
      for (let k = 0; k < kills; k++) {
        await sleep(Math.floor(gap * (0.3 + world.random() * 0.7)));
        moment = MOMENTS[k % MOMENTS.length]!;
        if (moment === 'mid-accept') world.router.whenForwarding((port) => fire(port));
        const port = await new Promise<number | null | 'timeout'>((resolve) => {
          const timer = setTimeout(() => {
            armed = null;
            resolve('timeout');
          }, 3000);
          armed = (p) => {
            clearTimeout(timer);
            resolve(p);
          };
        });
        const victim = pickVictim(world, port === 'timeout' ? null : port);
        if (!victim) continue;
        counts[port === 'timeout' ? 'no such moment within 3 s' : moment]!++;
        await world.fleet.restart(victim);
      }
      return counts;
    },
  };
}

/** The instance that forwarded request went to, else a random running one. */
function pickVictim(world: World, port: number | null): Instance | undefined {
  const running = world.fleet.instances.filter((i) => i.up());
  return running.find((i) => i.port === port) ?? running[Math.floor(world.random() * running.length)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
