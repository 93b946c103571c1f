/**
 * A TCP proxy on 127.0.0.1 in front of a server (Postgres in the outage tests), to break the link the
 * ways networks break:
 * - refuse(): the listener closes and every connection is cut (a database that is down or restarting:
 *   clients see the connection end, new ones get ECONNREFUSED); accept() listens again on the same port.
 * - freeze(): every connection, open or new, stops forwarding and silently discards what it receives,
 *   while its socket stays open (a link that drops packets, a NAT or proxy that lost the connection:
 *   no error, no answer). thaw() lets new connections through again; frozen ones stay dead for good.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  frozen: boolean;
}

export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private frozen = false;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.accept();
    return proxy;
  }

  /** Listens (again) on the proxy's port. */
  async accept(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pair(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /**
   * Stops listening and cuts every connection: with a FIN by default, with a TCP reset (`reset`), as a
   * server whose process died answers.
   */
  async refuse(opts: { reset?: boolean } = {}): Promise<void> {
    const server = this.server;
    this.server = null;
    this.cutAll(opts.reset ?? false);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) pair.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private pair(client: Socket): void {
    const pair: Pair = { client, upstream: null, frozen: this.frozen };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      this.pairs.delete(pair);
      pair.upstream?.destroy();
    });
    // A connection frozen from the start never reaches the server: the handshake gets no answer.
    if (pair.frozen) {
      client.on('data', () => undefined);
      return;
    }
    const upstream = createConnection(this.target);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      if (!pair.frozen) client.destroy();
    });
    client.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
  }

  private cutAll(reset: boolean): void {
    for (const pair of this.pairs) {
      if (reset) pair.client.resetAndDestroy();
      else pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
  }
}
