/**
 * The test doubles (test/fakes) in the bench process, plus a tap on what they record: the bench needs
 * to know the instant a request reaches them (a reply's POST ends a turn), and the fakes record every
 * request in a plain array before answering it. Wrapping that array's push gives a synchronous
 * callback at arrival, without changing the fakes.
 *
 * Why in the bench process: on 2 cores the app gets one to itself; the fakes do little per request
 * (the fan-out's busiest second is ~50 turns: ~200 small requests), and each scenario reports the
 * bench process's own CPU share so a distorting generator would show.
 */
import { performance } from 'node:perf_hooks';
import { startFakeChatwoot, type FakeChatwoot, type RecordedRequest } from '../../test/fakes/fake-chatwoot.js';
import { startFakeHermes, type FakeHermes, type HermesRequest } from '../../test/fakes/fake-hermes.js';

export const SECRET = 'bench-webhook-secret';
export const BOT_TOKEN = 'bench-bot-token';
export const HERMES_KEY = 'bench-hermes-key';

export interface Fakes {
  chatwoot: FakeChatwoot;
  hermes: FakeHermes;
  /** Called for every request the fake Chatwoot receives, with performance.now() at arrival. */
  onChatwoot(fn: (r: RecordedRequest, at: number) => void): void;
  /** Called for every request the fake Hermes receives (body read), with performance.now() at arrival. */
  onHermes(fn: (r: HermesRequest, at: number) => void): void;
  close(): Promise<void>;
}

export interface FakesOptions {
  /** The bot's webhook URL for Chatwoot's echo of the bot's own messages (as real Chatwoot does); none = no echo. */
  echoTo?: string;
  /** OpenAPI validation of every request the bot sends to Chatwoot (default on). */
  validate?: boolean;
  hermesDelayMs?: number;
  /** Hermes' max_concurrent_runs (0 = off). Set to the bot's MAX_CONCURRENT_TURNS, a 429 would show an overrun. */
  hermesMaxRuns?: number;
}

export async function startFakes(opts: FakesOptions): Promise<Fakes> {
  const chatwoot = await startFakeChatwoot({
    botToken: BOT_TOKEN,
    validate: opts.validate ?? true,
    ...(opts.echoTo ? { echo: { webhookUrl: opts.echoTo, secret: SECRET } } : {}),
  });
  const hermes = await startFakeHermes({ apiKey: HERMES_KEY, delayMs: opts.hermesDelayMs ?? 0, maxConcurrentRuns: opts.hermesMaxRuns ?? 0 });
  const listeners: Array<(r: RecordedRequest, at: number) => void> = [];
  tapPush(chatwoot.requests, (r) => {
    const at = performance.now();
    for (const fn of listeners) fn(r, at);
  });
  const hermesListeners: Array<(r: HermesRequest, at: number) => void> = [];
  tapPush(hermes.requests, (r) => {
    const at = performance.now();
    for (const fn of hermesListeners) fn(r, at);
  });
  return {
    chatwoot,
    hermes,
    onChatwoot: (fn) => listeners.push(fn),
    onHermes: (fn) => hermesListeners.push(fn),
    close: async () => {
      await Promise.all([chatwoot.close(), hermes.close()]);
    },
  };
}

/** Calls `fn` for each item pushed onto `list` (then pushes it as usual). */
export function tapPush<T>(list: T[], fn: (item: T) => void): void {
  const push = list.push.bind(list);
  Object.defineProperty(list, 'push', {
    configurable: true,
    writable: true,
    value: (...items: T[]) => {
      for (const item of items) fn(item);
      return push(...items);
    },
  });
}

/** `/api/v1/accounts/1/conversations/42/messages` → 42 (and the endpoint's tail), or null. */
export function conversationCall(path: string): { conversationId: number; tail: string } | null {
  const m = /^\/api\/v1\/accounts\/\d+\/conversations\/(\d+)(\/[a-z_]+)?$/.exec(path);
  return m ? { conversationId: Number(m[1]), tail: m[2] ?? '' } : null;
}
