import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { ackTiming } from '../../../src/http/ack-timing.js';
import { sleep, waitUntil } from '../../helpers/wait.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An app whose answer takes `delayMs`, timed by ackTiming into `acks`. */
async function app(delayMs: number, acks: Array<{ seconds: number; status: number | 'aborted' }>): Promise<string> {
  const koa = new Koa();
  koa.use(ackTiming({ ack: (seconds, status) => void acks.push({ seconds, status }) }));
  koa.use(async (ctx) => {
    await sleep(delayMs);
    ctx.status = 202;
    ctx.body = { ok: true };
  });
  server = koa.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

describe('ackTiming', () => {
  it('observes each answer once, with its status and how long it took', async () => {
    const acks: Array<{ seconds: number; status: number | 'aborted' }> = [];
    const url = await app(40, acks);
    expect((await fetch(url)).status).toBe(202);
    await waitUntil(() => acks.length === 1);
    expect(acks[0]!.status).toBe(202);
    expect(acks[0]!.seconds).toBeGreaterThanOrEqual(0.035);
    expect(acks[0]!.seconds).toBeLessThan(5);
  });

  it('observes an answer the caller stopped waiting for as `aborted`, with the time it waited', async () => {
    const acks: Array<{ seconds: number; status: number | 'aborted' }> = [];
    const url = await app(400, acks);
    await expect(fetch(url, { signal: AbortSignal.timeout(60) })).rejects.toThrow();
    await waitUntil(() => acks.length === 1);
    expect(acks[0]!.status).toBe('aborted');
    // When the caller hung up (its 60 ms count from before the connection), not when the answer was ready (400 ms).
    expect(acks[0]!.seconds).toBeGreaterThan(0);
    expect(acks[0]!.seconds).toBeLessThan(0.3);
    await sleep(400);
    expect(acks).toHaveLength(1);
  });
});
