/**
 * The load generator. A hand-rolled HTTP/1.1 client over net.Socket (one request at a time per
 * keep-alive connection, pre-serialised request bytes, a minimal response parser) so the client costs
 * a fraction of what node:http or fetch would: on a 2-core machine the generator shares the box with
 * the server it measures, and a heavy client would cap the baseline before the server does.
 *
 * Two drivers:
 * - openLoop: requests at fixed times t0 + i/rate, whatever the server does. Latency is measured from
 *   the *scheduled* time, so a stall delays (and is charged to) every request due during it: no
 *   coordinated omission. Requests that find no free connection wait in a backlog, also charged.
 * - closedLoop ("flat out"): N connections, each sends its next request as soon as the previous one
 *   is answered, for a fixed time. Throughput is what counts there; latency is service + queueing time.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './stats.js';

export interface HttpResult {
  status: number;
  body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/** One keep-alive HTTP/1.1 connection to 127.0.0.1:port; requests are sent one at a time. */
export class RawConnection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (r: HttpResult) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  request(bytes: Buffer): Promise<HttpResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.waiter) return Promise.reject(new Error('RawConnection: one request at a time'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.dead ??= new Error('closed');
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.dead ??= error;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headEnd = this.buffer.indexOf(HEADER_END);
    if (headEnd === -1) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let bodyEnd: number;
    let body: string;
    if (length) {
      bodyEnd = headEnd + 4 + Number(length[1]);
      if (this.buffer.length < bodyEnd) return;
      body = this.buffer.toString('utf8', headEnd + 4, bodyEnd);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const end = this.buffer.indexOf(CHUNKED_END, headEnd + 4);
      if (end === -1) return;
      bodyEnd = end + CHUNKED_END.length;
      body = this.buffer.toString('utf8', headEnd + 4, end); // chunk framing left in: only searched, never parsed
    } else {
      bodyEnd = headEnd + 4;
      body = '';
    }
    this.buffer = this.buffer.subarray(bodyEnd);
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ status, body });
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
  }
}

/** What a phase of load produced. Latencies in ms. */
export interface PhaseResult {
  /** Offered rate (req/s); null for a flat-out (closed-loop) phase. */
  offered: number | null;
  connections: number;
  sent: number;
  completed: number;
  /** Answers that were not 200 + the expected outcome, plus connection errors and timeouts. */
  errors: number;
  outcomes: Record<string, number>;
  durationMs: number;
  /** Completed requests per second over the phase. */
  throughput: number;
  latency: LatencySummary;
  /** How late the generator itself sent each request (open loop only): its own precision. */
  sendLag: LatencySummary | null;
  /** Answers later than Chatwoot's 5 s limit (the conversation would go to humans). */
  over5s: number;
}

export interface LoadTarget {
  port: number;
  /** Builds the next request's bytes (called at send time: signatures stay fresh). */
  next: () => Buffer;
  /** Names an answer ('accepted', 'http 503', …); `ok` says whether it counts as a success. */
  classify: (r: HttpResult) => { name: string; ok: boolean };
}

export async function openLoop(target: LoadTarget, opts: { rate: number; durationMs: number; maxConnections?: number; graceMs?: number }): Promise<PhaseResult> {
  const n = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const maxConnections = opts.maxConnections ?? 256;
  const latency = new Float64Array(n).fill(NaN);
  const lag = new Float64Array(n).fill(NaN);
  const outcomes: Record<string, number> = {};
  const idle: RawConnection[] = [];
  const all = new Set<RawConnection>();
  const backlog: number[] = [];
  let backlogHead = 0;
  let next = 0;
  let done = 0;
  let errors = 0;
  const t0 = performance.now() + 5;
  const due = (i: number) => t0 + i * interval;

  return new Promise<PhaseResult>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      for (const c of all) c.close();
      const end = performance.now();
      errors += n - done;
      resolve({
        offered: opts.rate,
        connections: all.size,
        sent: next,
        completed: done,
        errors,
        outcomes,
        durationMs: end - t0,
        throughput: (done / (end - t0)) * 1000,
        latency: summarize(latency),
        sendLag: summarize(lag),
        over5s: latency.filter((v) => v > 5000).length + (n - done),
      });
    };
    const deadline = setTimeout(finish, opts.durationMs + (opts.graceMs ?? 30_000));

    const send = (conn: RawConnection, i: number) => {
      const bytes = target.next();
      lag[i] = performance.now() - due(i);
      conn.request(bytes).then(
        (res) => {
          latency[i] = performance.now() - due(i);
          const verdict = target.classify(res);
          outcomes[verdict.name] = (outcomes[verdict.name] ?? 0) + 1;
          if (!verdict.ok) errors++;
          release(conn);
        },
        (error: Error) => {
          latency[i] = performance.now() - due(i);
          outcomes[`error ${error.message}`] = (outcomes[`error ${error.message}`] ?? 0) + 1;
          errors++;
          all.delete(conn);
          release(null);
        },
      );
    };
    const acquire = (i: number) => {
      let conn = idle.pop();
      while (conn && !conn.alive) {
        all.delete(conn);
        conn = idle.pop();
      }
      if (conn) return send(conn, i);
      if (all.size < maxConnections) {
        const fresh = new RawConnection(target.port);
        all.add(fresh);
        return send(fresh, i);
      }
      backlog.push(i);
    };
    const release = (conn: RawConnection | null) => {
      done++;
      if (finished) return;
      if (backlogHead < backlog.length) {
        const i = backlog[backlogHead++]!;
        if (conn?.alive) send(conn, i);
        else acquire(i);
      } else if (conn?.alive) idle.push(conn);
      if (done === n) finish();
    };
    const tick = () => {
      if (finished) return;
      const now = performance.now();
      while (next < n && due(next) <= now) acquire(next++);
      // Timers fire ~1 ms late at best; wake a little early and send whatever is due by then.
      if (next < n) setTimeout(tick, Math.max(0, due(next) - performance.now() - 0.5));
    };
    setTimeout(tick, 0);
  });
}

/** `sink`, when given, also receives every latency (to summarise several rounds as one). */
export async function closedLoop(target: LoadTarget, opts: { connections: number; durationMs: number }, sink?: number[]): Promise<PhaseResult> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + opts.durationMs;
  const worker = async () => {
    let conn = new RawConnection(target.port);
    try {
      while (performance.now() < end) {
        if (!conn.alive) conn = new RawConnection(target.port);
        const t = performance.now();
        sent++;
        try {
          const res = await conn.request(target.next());
          const ms = performance.now() - t;
          latencies.push(ms);
          sink?.push(ms);
          const verdict = target.classify(res);
          outcomes[verdict.name] = (outcomes[verdict.name] ?? 0) + 1;
          if (!verdict.ok) errors++;
        } catch (error) {
          const name = `error ${(error as Error).message}`;
          outcomes[name] = (outcomes[name] ?? 0) + 1;
          errors++;
        }
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const elapsed = performance.now() - start;
  return {
    offered: null,
    connections: opts.connections,
    sent,
    completed: latencies.length,
    errors,
    outcomes,
    durationMs: elapsed,
    throughput: (latencies.length / elapsed) * 1000,
    latency: summarize(latencies),
    sendLag: null,
    over5s: latencies.filter((v) => v > 5000).length,
  };
}

/**
 * A bounded pool for one-off requests (the fan-out's customers, the overhead's single messages): at
 * most `maxConnections` keep-alive connections, like the fixed number of Sidekiq workers Chatwoot
 * delivers webhooks with; further requests wait their turn. `request` resolves with the answer and
 * the time the request actually left (so a latency can exclude the wait for a free connection).
 */
export class ConnectionPool {
  private readonly idle: RawConnection[] = [];
  private readonly all = new Set<RawConnection>();
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly port: number,
    private readonly maxConnections = 32,
  ) {}

  async request(bytes: Buffer): Promise<HttpResult & { sentAt: number }> {
    let conn = this.take();
    while (!conn) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      conn = this.take();
    }
    const sentAt = performance.now();
    try {
      const res = await conn.request(bytes);
      if (conn.alive) this.idle.push(conn);
      else this.all.delete(conn);
      return { ...res, sentAt };
    } catch (error) {
      this.all.delete(conn);
      conn.close();
      throw error;
    } finally {
      this.waiting.shift()?.();
    }
  }

  private take(): RawConnection | undefined {
    let conn = this.idle.pop();
    while (conn && !conn.alive) {
      this.all.delete(conn);
      conn = this.idle.pop();
    }
    if (conn) return conn;
    if (this.all.size >= this.maxConnections) return undefined;
    conn = new RawConnection(this.port);
    this.all.add(conn);
    return conn;
  }

  close(): void {
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0)) w();
  }
}
