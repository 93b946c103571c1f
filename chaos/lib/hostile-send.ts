/**
 * Sending hostile bodies straight to a bot instance, signed as Chatwoot signs (HMAC-SHA256 over
 * "<timestamp>.<raw bytes>", src/chatwoot/signature.ts): whole requests, and slow clients that
 * trickle one a few bytes at a time or stall half-way through its headers.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { SECRET } from '../../bench/lib/fakes.js';

const PATH = '/chatwoot/webhook';

/** What came back: an HTTP status and the answer's `status` field (accepted, ignored…), or the connection's error. */
export type Answer = { status: number; outcome: string | null } | { error: string };

function headers(raw: Buffer): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'x-chatwoot-delivery': randomUUID(),
    'x-chatwoot-timestamp': String(timestamp),
    'x-chatwoot-signature': `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(raw).digest('hex')}`,
    'content-length': String(raw.length),
  };
}

const outcomeOf = (text: string) => /"status"\s*:\s*"([a-z_]+)"/.exec(text)?.[1] ?? null;

/** One signed POST of `raw`; resolves with the answer (a 413 before the whole body was written counts as the 413). */
export function postSigned(port: number, raw: Buffer, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: PATH, headers: headers(raw), timeout: timeoutMs }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, outcome: outcomeOf(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, outcome: null }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // The server may answer (413) and close while the body is still being written: the answer counts.
    req.on('error', (error) => {
      if (!answered) resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message });
    });
    req.end(raw);
  });
}

export interface SlowOptions {
  /** Send everything over about this long, ms. */
  spreadMs: number;
  /** Stop half-way through the headers and hold the connection until `release` resolves. */
  stall: boolean;
  release: Promise<void>;
}

/** A slow client: the stalled one reports whether the bot closed it first ('closed by the bot' / 'held'). */
export function slowClient(port: number, raw: Buffer, o: SlowOptions): Promise<Answer | { held: boolean }> {
  const h = headers(raw);
  const head = `POST ${PATH} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}connection: close\r\n\r\n`;
  const bytes = o.stall ? Buffer.from(head.slice(0, Math.floor(head.length / 2)), 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), raw]);
  const pieces = 40;
  const size = Math.ceil(bytes.length / pieces);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let released = false;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (o.stall) return resolve({ held: released });
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve(status ? { status: Number(status), outcome: outcomeOf(received.slice(received.indexOf('\r\n\r\n'))) } : { error: 'closed without an answer' });
    });
    let offset = 0;
    const step = () => {
      if (socket.destroyed || offset >= bytes.length) return;
      socket.write(bytes.subarray(offset, offset + size));
      offset += size;
      timer = setTimeout(step, o.spreadMs / pieces);
    };
    socket.on('connect', step);
    void o.release.then(() => {
      released = true;
      // A complete request still unanswered 10 s after the fault ended is counted as such, not awaited forever.
      if (o.stall) socket.destroy();
      else setTimeout(() => socket.destroy(), 10_000).unref();
    });
  });
}
