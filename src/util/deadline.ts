export type Settled<T> = { done: true; value: T } | { done: false };

/**
 * Waits for `work` at most `ms`. The work is not cancelled when the time is up: it goes on, and
 * whoever started it decides what its late result means (see intake/receive.ts).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  return Promise.race([work.then((value): Settled<T> => ({ done: true, value })), late]).finally(() => clearTimeout(timer));
}
