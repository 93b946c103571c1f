/**
 * The one address Chatwoot knows (the bot's webhook URL), in front of the bot's instances, like the
 * platform's router: each request goes to the next running instance; with none running it answers
 * 503 (Heroku's H10/H13, which Chatwoot does not retry). An instance that dies mid-request drops the
 * client's connection too, so Chatwoot sees what it would see: no answer.
 */
import { request, createServer, type Server } from 'node:http';

export interface Backend {
  port: number;
  /** Whether the instance is up (the router skips those that are not). */
  up(): boolean;
}

export class Router {
  private next = 0;
  /** Requests currently forwarded, by backend port (the kill fault waits for one "mid-accept"). */
  readonly inFlight = new Map<number, number>();
  private onForward: ((port: number) => void) | null = null;

  private constructor(
    private readonly server: Server,
    private readonly backends: () => Backend[],
  ) {}

  static async start(backends: () => Backend[]): Promise<Router> {
    let router!: Router;
    const server = createServer((req, res) => router.forward(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    router = new Router(server, backends);
    return router;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Calls `fn` once, with the backend's port, when the next request is forwarded. */
  whenForwarding(fn: (port: number) => void): void {
    this.onForward = fn;
  }

  private forward(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const live = this.backends().filter((b) => b.up());
    if (live.length === 0) {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' }).end('no instance running');
      return;
    }
    const backend = live[this.next++ % live.length]!;
    this.inFlight.set(backend.port, (this.inFlight.get(backend.port) ?? 0) + 1);
    const done = () => this.inFlight.set(backend.port, (this.inFlight.get(backend.port) ?? 1) - 1);
    const upstream = request({ host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', done);
    });
    upstream.on('error', () => {
      done();
      res.socket?.destroy();
    });
    req.pipe(upstream);
    const hook = this.onForward;
    if (hook) {
      this.onForward = null;
      hook(backend.port);
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
