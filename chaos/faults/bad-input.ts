/**
 * Bad input (issue 13, fault 6): while the workload plays, thousands of correctly signed but hostile
 * bodies (chaos/lib/hostile.ts: fast-check mutations of the workload's own message_created bodies,
 * random JSON, not JSON, bodies over the limit) go straight to the bot's instances, with slow clients
 * trickling a request a few bytes at a time or stalling half-way through its headers.
 *
 * The bot must not crash (the harness counts exits), the workload's webhooks must still be answered
 * within 1 s, no hostile body may get a 5xx, and each must come to what its family says: a body that
 * is still a valid event is stored once (its row in the store) and answered once (one reply, or a
 * hand-off); one that is not gets "ignored" or a 4xx and leaves nothing behind (no row, no Hermes
 * call, no post). Every hostile body has a conversation of its own, outside the workload's, so the
 * workload's invariants are judged as in every other run.
 */
import { HANDOFF_NOTE_PREFIX } from '../../src/domain/outbox.js';
import type { Fault, World } from '../lib/harness.js';
import { hostileBodies, plainBody, HOSTILE_FIRST_CONVERSATION, type HostileBody } from '../lib/hostile.js';
import { postSigned, slowClient, type Answer } from '../lib/hostile-send.js';
import { customerRows } from '../lib/store-rows.js';
import { sleep } from './hermes.js';

const ACCOUNT = 1;
const SENDERS = 8;

const MUST_BE_ZERO = {
  fivexx: 'hostile bodies answered 5xx',
  refusedSignature: 'hostile bodies refused 401 although signed as sent',
  validNotAccepted: 'still-valid bodies not accepted',
  validNotStoredOnce: 'still-valid bodies not stored exactly once',
  validNotAnsweredOnce: 'still-valid bodies not answered exactly once',
  invalidAccepted: 'invalid bodies accepted',
  invalidLeftSomething: 'invalid bodies that left something behind',
};

type Sent = HostileBody & { answer: Answer };

export function badInput(o: { bodies: number; slowClients: number }): Fault {
  const sent: Sent[] = [];
  return {
    name: `bad input: ${o.bodies} hostile bodies, ${o.slowClients} slow clients`,
    ackBudgetMs: 1000,
    mustBeZero: Object.values(MUST_BE_ZERO),
    during: async (world) => {
      const bodies = hostileBodies(o.bodies, Math.floor(world.random() * 2 ** 31));
      let released!: () => void;
      const release = new Promise<void>((r) => (released = r));
      const slow = (async () => {
        await sleep(world.spanMs / 4);
        return Promise.all(
          Array.from({ length: o.slowClients }, async (_, i) => {
            // Staggered over a second; every other one stalls in its headers until the bodies are all sent.
            await sleep((i * 1000) / o.slowClients);
            const conversationId = HOSTILE_FIRST_CONVERSATION + o.bodies + i;
            const raw = plainBody(conversationId);
            const result = await slowClient(portOf(world, i), raw, { spreadMs: 8000, stall: i % 2 === 1, release });
            if ('held' in result) return result;
            sent.push({ kind: 'slow client', family: 'valid', conversationId, raw, answer: result });
            return result;
          }),
        );
      })();
      await sendAll(world, bodies, sent);
      released();
      const slowResults = await slow;
      return { ...answerFigures(sent), ...slowFigures(slowResults) };
    },
    judge: async (world) => judge(world, sent),
  };
}

function portOf(world: World, n: number): number {
  const up = world.fleet.instances.filter((i) => i.up());
  return (up.length > 0 ? up : world.fleet.instances)[n % Math.max(1, up.length || world.fleet.instances.length)]!.port;
}

/** Every body, spread evenly over the workload's span, SENDERS at a time. */
async function sendAll(world: World, bodies: HostileBody[], sent: Sent[]): Promise<void> {
  const t0 = Date.now();
  const gap = Math.max(world.spanMs, 1000) / bodies.length;
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const wait = t0 + i * gap - Date.now();
        if (wait > 0) await sleep(wait);
        sent.push({ ...bodies[i]!, answer: await postSigned(portOf(world, i), bodies[i]!.raw) });
      }
    }),
  );
}

function answerFigures(sent: Sent[]): Record<string, number | string> {
  const count = (f: (a: Answer) => boolean) => sent.filter((s) => f(s.answer)).length;
  const status = (a: Answer) => ('status' in a ? a.status : 0);
  const fourxx = [400, 401, 413].map((code) => count((a) => status(a) === code));
  return {
    'hostile bodies sent (slow clients included)': sent.length,
    'answered 2xx accepted': count((a) => status(a) < 300 && status(a) >= 200 && 'outcome' in a && a.outcome === 'accepted'),
    'answered 2xx ignored': count((a) => status(a) < 300 && status(a) >= 200 && 'outcome' in a && a.outcome === 'ignored'),
    'answered 4xx (400 / 401 / 413 / other)': `${fourxx.join(' / ')} / ${count((a) => status(a) >= 400 && status(a) < 500) - fourxx.reduce((x, y) => x + y, 0)}`,
    [MUST_BE_ZERO.fivexx]: count((a) => status(a) >= 500),
    'connection errors (no answer)': count((a) => 'error' in a),
  };
}

function slowFigures(results: Array<Answer | { held: boolean }>): Record<string, number | string> {
  const stalled = results.filter((r): r is { held: boolean } => 'held' in r);
  const trickled = results.filter((r): r is Answer => !('held' in r));
  return {
    'slow clients (trickling / stalled)': `${trickled.length} / ${stalled.length}`,
    'trickling clients answered 2xx': trickled.filter((r) => 'status' in r && r.status >= 200 && r.status < 300).length,
    'stalled connections the bot closed first': stalled.filter((r) => !r.held).length,
  };
}

/** After the run has settled: each body's answer against what the store, Hermes and Chatwoot saw of its conversation. */
async function judge(world: World, sent: Sent[]): Promise<Record<string, number | string>> {
  const rows = await customerRows(world.lease, HOSTILE_FIRST_CONVERSATION);
  const hermesCalls = new Map<number, number>();
  for (const r of world.fakes.hermes.completions()) {
    const id = Number(/^chatwoot-\d+-(\d+)$/.exec(r.sessionIdSent ?? '')?.[1] ?? -1);
    if (id >= HOSTILE_FIRST_CONVERSATION && r.status === 200) hermesCalls.set(id, (hermesCalls.get(id) ?? 0) + 1);
  }
  const figures = { validNotAccepted: 0, validNotStoredOnce: 0, validNotAnsweredOnce: 0, invalidAccepted: 0, invalidLeftSomething: 0, refusedSignature: 0 };
  const examples: string[] = [];
  const note = (what: keyof typeof figures, s: Sent) => {
    figures[what]++;
    if (examples.length < 6) examples.push(`${what}: c${s.conversationId} (${s.kind}) ${JSON.stringify(s.answer)}`);
  };
  for (const s of sent) {
    const id = s.conversationId;
    const accepted = 'status' in s.answer && s.answer.status === 200 && s.answer.outcome === 'accepted';
    const posts = world.fakes.chatwoot.messages(ACCOUNT, id);
    const replies = posts.filter((p) => !p.private && (p.content ?? '').startsWith('Resposta ')).length;
    // A hand-off answers too (Hermes asked for a human, or a keyword did), when it is complete: open, with its note.
    const handedOff = world.fakes.chatwoot.conversation(ACCOUNT, id).status !== 'pending' && posts.some((p) => p.private && (p.content ?? '').startsWith(HANDOFF_NOTE_PREFIX));
    if ('status' in s.answer && s.answer.status === 401 && Buffer.from(s.raw.toString('utf8'), 'utf8').equals(s.raw)) note('refusedSignature', s);
    if (s.family === 'valid') {
      if (!accepted) note('validNotAccepted', s);
      else if ((rows.get(id) ?? 0) !== 1) note('validNotStoredOnce', s);
      else if ((hermesCalls.get(id) ?? 0) > 1 || replies > 1 || (replies === 0 && !handedOff)) note('validNotAnsweredOnce', s);
    } else if (accepted) note('invalidAccepted', s);
    else if ((rows.get(id) ?? 0) > 0 || hermesCalls.has(id) || posts.length > 0) note('invalidLeftSomething', s);
  }
  if (examples.length > 0) world.log(`  bad input, e.g.: ${examples.join('; ')}`);
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [MUST_BE_ZERO[k as keyof typeof figures], v]));
}
