import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago: for a server that must know its own URL before it
 * starts (the fake Chatwoot echoes to the bot), or as a port where nothing listens (connection refused).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
