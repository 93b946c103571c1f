import { connect, type AddressInfo, type Socket } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../../src/http/server.js';

/** Resolves with what the server wrote before closing the socket, and how long it held it. */
function heldFor(socket: Socket): Promise<{ ms: number; answer: string }> {
  const t0 = Date.now();
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString()));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('close', () => resolve({ ms: Date.now() - t0, answer })));
}

describe('the HTTP server closes slow clients', () => {
  // Reads the whole body first, as the webhook route does.
  const app = new Koa({}).use(async (ctx) => {
    for await (const _ of ctx.req);
    ctx.body = 'ok';
  });
  app.silent = true; // the aborted bodies are the point here
  const server = createHttpServer(app, { headersTimeoutMs: 400, requestTimeoutMs: 800 });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));
  const start = () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

  it('answers 408 and closes a client stalled in its headers', async () => {
    const socket = connect(await start(), '127.0.0.1');
    socket.write('POST /chatwoot/webhook HTTP/1.1\r\nHost: x\r\n');
    const { ms, answer } = await heldFor(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // The limit (400 ms) plus at most one check interval (1 s), with room for a slow machine.
    expect(ms).toBeLessThan(2500);
  });

  it('answers 408 and closes a client trickling its body past the request limit', async () => {
    const socket = connect(await start(), '127.0.0.1');
    socket.write('POST /chatwoot/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    const { ms, answer } = await heldFor(socket);
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3000);
  });

  it('serves a request that arrives in time', async () => {
    const port = await start();
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
  });
});
