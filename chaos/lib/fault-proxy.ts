/**
 * An HTTP proxy between the bot and one of its upstreams (Chatwoot, Hermes) that can misbehave on
 * cue: a storm answers matching requests with a canned status (429 with Retry-After, 500, 503…)
 * without reaching the upstream; `down` refuses every connection (an upstream that is gone). Otherwise
 * requests pass through untouched, so the fakes behind still record and validate them.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Storm {
  match(method: string, path: string): boolean;
  /** The answer for the n-th request the storm catches. */
  answer(n: number): { status: number; headers?: Record<string, string>; body?: unknown };
}

export class FaultProxy {
  private storm: Storm | null = null;
  private down = false;
  /** Requests answered by the current or last storm. */
  stormed = 0;

  private readonly port: number;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {
    this.port = (server.address() as { port: number }).port;
  }

  static async start(targetUrl: string): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const server = createServer((req, res) => proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    proxy = new FaultProxy(server, new URL(targetUrl));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setStorm(storm: Storm | null): void {
    this.storm = storm;
    if (storm) this.stormed = 0;
  }

  /**
   * Down: the listener closes and every open connection is cut, so new ones are refused (a host whose
   * service is stopped); up: it listens again on the same port.
   */
  async setDown(down: boolean): Promise<void> {
    if (down === this.down) return;
    this.down = down;
    if (down) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    } else {
      await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    if (this.storm?.match(req.method ?? 'GET', path)) {
      const a = this.storm.answer(++this.stormed);
      req.resume();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(JSON.stringify(a.body ?? { error: `chaos: ${a.status}` }));
      return;
    }
    const upstream = request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    await this.setDown(true);
  }
}
