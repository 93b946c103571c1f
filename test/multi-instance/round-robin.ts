import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RoundRobin {
  url: string;
  /** Requests answered by each backend (index), and those retried on the next one. */
  served: number[];
  retries: number;
  /** Stop sending to a backend (its process was killed). */
  markDown(index: number): void;
  close(): Promise<void>;
}

/**
 * A load balancer in front of several bot processes, like Heroku's router: each webhook goes to the
 * next backend in turn. When a backend does not answer (its process died mid-request), the same
 * request — same X-Chatwoot-Delivery, as Chatwoot's own retry would — goes to the next one.
 */
export async function startRoundRobin(backends: string[]): Promise<RoundRobin> {
  const down = new Set<number>();
  const served = backends.map(() => 0);
  let next = 0;
  let retries = 0;

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
    for (let attempt = 0; attempt < backends.length * 2; attempt++) {
      const live = backends.map((_, i) => i).filter((i) => !down.has(i));
      if (live.length === 0) break;
      const index = live[next++ % live.length]!;
      try {
        const answer = await fetch(`${backends[index]}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        const text = await answer.text();
        served[index]!++;
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(text);
        return;
      } catch {
        retries++;
      }
    }
    res.writeHead(502).end();
  }

  const server = createServer((req, res) => {
    forward(req, res).catch(() => res.writeHead(502).end());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    get retries() {
      return retries;
    },
    markDown: (index) => down.add(index),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
