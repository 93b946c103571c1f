/**
 * The small HTTP toolkit both fakes share: a loopback server whose close() never hangs on keep-alive
 * sockets, body reading, JSON/empty answers and "drop the connection" for failure injection.
 * Plain node:http, so a fake can answer with exactly the bytes (or the silence) it wants.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface LoopbackServer {
  url: string;
  server: Server;
  /** True once close() was called; pending handlers check it before answering. */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 with an ephemeral port. Handler errors answer 500 and are rethrown nowhere. */
export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  let closed = false;
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: `fake server error: ${String(err)}` });
      else res.destroy();
    });
  });
  // Node closes idle keep-alive sockets after 5 s; a client reusing one at that instant gets a spurious
  // ECONNRESET. Real servers keep them longer, and close() destroys them anyway.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    get closed() {
      return closed;
    },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      // Destroying the sockets is what makes close() quick: keep-alive clients would hold it open for 5 s.
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Read the whole request body; rejects with BodyTooLargeError past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 20 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** Parse JSON text; undefined when empty or not JSON (callers decide whether that is an error). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A status with an empty body (Rails `head :ok`): no content type, content-length 0. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-length': '0', ...headers });
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Drop the connection without an answer; a TCP RST where supported, so clients see ECONNRESET. */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Header map with lower-case names and array values joined (node already lower-cases names). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function splitUrl(rawUrl: string | undefined): { path: string; query: Record<string, string> } {
  const url = new URL(rawUrl ?? '/', 'http://fake.invalid');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

/** Matches a recorded request against a failure-injection filter: method (any case) and path. */
export interface RequestFilter {
  method?: string;
  /** RegExp tested against the path, or a string the path must end with (a full path matches exactly). */
  path?: RegExp | string;
}

export function matchesFilter(filter: RequestFilter, method: string, path: string): boolean {
  if (filter.method && filter.method.toUpperCase() !== method.toUpperCase()) return false;
  if (filter.path instanceof RegExp) {
    filter.path.lastIndex = 0; // a /g or /y regexp keeps state between test() calls
    return filter.path.test(path);
  }
  if (typeof filter.path === 'string') return path.endsWith(filter.path);
  return true;
}
