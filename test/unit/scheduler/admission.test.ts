import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdmissionClosedError,
  COOL_DELAY_MS,
  COOL_UTILIZATION,
  HOT_DELAY_MS,
  HOT_UTILIZATION,
  INTERVAL_MS,
  TurnAdmission,
} from '../../../src/scheduler/admission.js';
import type { LoadSample, LoadSource } from '../../../src/scheduler/loop-load.js';

const HOT: LoadSample = { utilization: 0.99, delayMs: 0 };
const LATE: LoadSample = { utilization: 0.3, delayMs: HOT_DELAY_MS + 1 };
const COOL: LoadSample = { utilization: 0.2, delayMs: 1 };
const BETWEEN: LoadSample = { utilization: (HOT_UTILIZATION + COOL_UTILIZATION) / 2, delayMs: COOL_DELAY_MS + 1 };

/** Takes `n` slots (as running turns). */
function run(a: TurnAdmission, n: number): void {
  for (let i = 0; i < n; i++) expect(a.tryAcquire()).toBe(true);
}

/** A load source that replays given samples, and records that it was closed. */
function scripted(samples: LoadSample[]): LoadSource & { closed: boolean; taken: number } {
  const source = {
    closed: false,
    taken: 0,
    sample() {
      source.taken++;
      return samples.shift() ?? COOL;
    },
    close() {
      source.closed = true;
    },
  };
  return source;
}

describe('TurnAdmission', () => {
  afterEach(() => vi.useRealTimers());

  it('starts at the maximum and never lets more turns run than the limit', () => {
    const a = new TurnAdmission({ max: 3 });
    expect(a.limit()).toBe(3);
    run(a, 3);
    expect(a.tryAcquire()).toBe(false);
    a.release();
    expect(a.tryAcquire()).toBe(true);
    expect(a.stats()).toEqual({ limit: 3, running: 3, waiting: 0, max: 3 });
  });

  it('halves from the turns actually running when the loop is busy, down to 1 and not below', () => {
    const a = new TurnAdmission({ max: 64 });
    run(a, 40);
    a.step(HOT);
    expect(a.limit()).toBe(20); // from the 40 running, not from 64: a cut that bites
    a.step(HOT);
    expect(a.limit()).toBe(10);
    for (let i = 0; i < 10; i++) a.step(HOT);
    expect(a.limit()).toBe(1);
  });

  it('a timer firing late counts as saturation even when utilization looks fine', () => {
    const a = new TurnAdmission({ max: 64 });
    run(a, 16);
    a.step(LATE);
    expect(a.limit()).toBe(8);
  });

  it('running turns are never stopped: the limit only withholds new starts until enough have ended', () => {
    const a = new TurnAdmission({ max: 8 });
    run(a, 8);
    a.step(HOT);
    expect(a.limit()).toBe(4);
    expect(a.stats().running).toBe(8);
    for (let i = 0; i < 4; i++) a.release();
    expect(a.tryAcquire()).toBe(false); // 4 running, limit 4
    a.release();
    expect(a.tryAcquire()).toBe(true);
  });

  it('holds between the thresholds, so the limit settles instead of flapping', () => {
    const a = new TurnAdmission({ max: 64 });
    run(a, 10);
    a.step(HOT);
    expect(a.limit()).toBe(5);
    for (let i = 0; i < 20; i++) a.step(BETWEEN);
    expect(a.limit()).toBe(5);
  });

  it('climbs back to the maximum from 1 within 25 cool steps (2.5 s) and tells the pump each time', () => {
    const a = new TurnAdmission({ max: 100 });
    a.step(HOT);
    expect(a.limit()).toBe(1);
    const raised: number[] = [];
    a.onFree(() => raised.push(a.limit()));
    let steps = 0;
    while (a.limit() < 100 && steps < 100) {
      a.step(COOL);
      steps++;
    }
    expect(a.limit()).toBe(100);
    expect(steps).toBeLessThanOrEqual(25);
    expect(raised.length).toBe(steps);
    expect(raised).toEqual([...raised].sort((x, y) => x - y));
    a.step(COOL);
    expect(a.limit()).toBe(100); // never above MAX_CONCURRENT_TURNS
    expect(raised.length).toBe(steps); // no raise, no call
  });

  it('waiting turns are admitted in arrival order as slots free up or the limit rises', async () => {
    const a = new TurnAdmission({ max: 4 });
    run(a, 2);
    a.step(HOT); // limit 1, 2 running
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => a.acquire().then(() => order.push(n)));
    await Promise.resolve();
    expect(a.stats().waiting).toBe(3);
    a.release();
    a.release(); // 0 running, limit 1: the first waiter goes
    await Promise.resolve();
    expect(order).toEqual([1]);
    a.step(COOL); // limit 2
    a.step(COOL); // limit 3
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
    expect(a.stats()).toMatchObject({ running: 3, waiting: 0 });
  });

  it('a new turn does not jump ahead of one already waiting', async () => {
    const a = new TurnAdmission({ max: 1 });
    run(a, 1);
    const first = a.acquire();
    a.release();
    await first;
    expect(a.tryAcquire()).toBe(false); // the waiter took the freed slot
  });

  it('closing refuses the waiting turns and every later one, and closes the load source', async () => {
    const source = scripted([]);
    const a = new TurnAdmission({ max: 1, load: () => source });
    a.start();
    run(a, 1);
    const waiting = a.acquire();
    a.close();
    await expect(waiting).rejects.toBeInstanceOf(AdmissionClosedError);
    await expect(a.acquire()).rejects.toBeInstanceOf(AdmissionClosedError);
    expect(a.tryAcquire()).toBe(false);
    expect(source.closed).toBe(true);
  });

  it('samples its load source once per interval after start(), and not before', () => {
    vi.useFakeTimers();
    const source = scripted([HOT, HOT, HOT]);
    let opened = 0;
    const a = new TurnAdmission({
      max: 64,
      load: () => {
        opened++;
        return source;
      },
    });
    run(a, 64);
    vi.advanceTimersByTime(INTERVAL_MS * 5);
    expect(opened).toBe(0);
    expect(a.limit()).toBe(64);
    a.start();
    vi.advanceTimersByTime(INTERVAL_MS * 3);
    expect(source.taken).toBe(3);
    expect(a.limit()).toBe(8); // 64 → 32 → 16 → 8
    a.close();
    vi.advanceTimersByTime(INTERVAL_MS * 5);
    expect(source.taken).toBe(3);
  });

  it('without a load source the limit is fixed at the maximum', () => {
    vi.useFakeTimers();
    const a = new TurnAdmission({ max: 5 });
    a.start();
    vi.advanceTimersByTime(INTERVAL_MS * 50);
    expect(a.limit()).toBe(5);
  });

  it('a turn waiting on Hermes holds no slot; with its answer in, it goes on before any new turn', async () => {
    const a = new TurnAdmission({ max: 8 });
    a.step(HOT); // limit 1
    run(a, 1);
    let answer: (v: string) => void = () => {};
    const inHermes = a.outside(() => new Promise<string>((resolve) => (answer = resolve)));
    expect(a.stats().running).toBe(0);
    expect(a.tryAcquire()).toBe(true); // another turn uses the loop meanwhile
    const newcomer = a.acquire();
    let newcomerIn = false;
    void newcomer.then(() => (newcomerIn = true));
    answer('olá');
    await Promise.resolve();
    expect(a.stats().waiting).toBe(2); // the answered turn and the newcomer, both behind the running one
    a.release();
    await expect(inHermes).resolves.toBe('olá'); // the answered turn first
    expect(newcomerIn).toBe(false);
    expect(a.stats().running).toBe(1);
    a.release();
    await newcomer;
    expect(newcomerIn).toBe(true);
  });

  it('while the process drains, a turn whose answer came in still finishes; new turns are refused', async () => {
    const a = new TurnAdmission({ max: 2 });
    a.step(HOT); // limit 1
    run(a, 1);
    let answer: () => void = () => {};
    const inHermes = a.outside(() => new Promise<void>((resolve) => (answer = resolve)));
    run(a, 1);
    answer();
    const newcomer = a.acquire();
    a.close();
    await expect(inHermes).resolves.toBeUndefined();
    await expect(newcomer).rejects.toBeInstanceOf(AdmissionClosedError);
  });

  it('refuses a maximum that is not a positive integer', () => {
    expect(() => new TurnAdmission({ max: 0 })).toThrow(RangeError);
    expect(() => new TurnAdmission({ max: 2.5 })).toThrow(RangeError);
  });
});
