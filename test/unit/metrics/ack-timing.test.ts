import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { ackTiming } from '../../../src/http/ack-timing.js';
import { sleep, waitUntil } from '../../helpers/wait.js';

type Ack = { seconds: number; status: number | 'aborted' };

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An app whose answer takes `delayMs`, timed by ackTiming into `acks`; `arrived` counts requests that reached it. */
async function app(delayMs: number, acks: Ack[]): Promise<{ url: string; arrived: () => number }> {
  let arrived = 0;
  const koa = new Koa();
  koa.use(ackTiming({ ack: (seconds, status) => void acks.push({ seconds, status }) }));
  koa.use(async (ctx) => {
    arrived += 1;
    await sleep(delayMs);
    ctx.status = 202;
    ctx.body = { ok: true };
  });
  server = koa.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, arrived: () => arrived };
}

describe('ackTiming', () => {
  it('observes each answer once, with its status and how long it took', async () => {
    const acks: Ack[] = [];
    const { url } = await app(40, acks);
    expect((await fetch(url)).status).toBe(202);
    await waitUntil(() => acks.length === 1);
    expect(acks[0]!.status).toBe(202);
    expect(acks[0]!.seconds).toBeGreaterThanOrEqual(0.035);
    expect(acks[0]!.seconds).toBeLessThan(5);
  });

  it('observes an answer the caller stopped waiting for as `aborted`, when it hung up', async () => {
    const acks: Ack[] = [];
    const { url, arrived } = await app(3000, acks);
    const caller = new AbortController();
    const request = fetch(url, { signal: caller.signal });
    // Hang up once the request is in the handler, as Chatwoot does after its 5 s.
    await waitUntil(() => arrived() === 1);
    caller.abort();
    await expect(request).rejects.toThrow();
    await waitUntil(() => acks.length === 1);
    expect(acks[0]!.status).toBe('aborted');
    // When the caller hung up, not when the answer was ready (3 s).
    expect(acks[0]!.seconds).toBeLessThan(2.5);
  });
});
