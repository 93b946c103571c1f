import { createServer } from 'node:net';

/**
 * Below Linux's default ephemeral range (32768–60999), where listen(0) and outgoing connections take
 * their ports: a port chosen here and released stays free until its server binds it, instead of being
 * handed to the next listen(0) of a fake or of another test file in between (seen in CI: EADDRINUSE).
 */
const RANGE = { from: 20_000, to: 32_767 };

/** Whether `port` can be bound on loopback right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A loopback port that was free a moment ago: for a server that must know its own URL before it
 * starts (the fake Chatwoot echoes to the bot), or as a port where nothing listens (connection refused).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port found in ${RANGE.from}–${RANGE.to}`);
}
