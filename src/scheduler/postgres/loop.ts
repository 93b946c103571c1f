export interface Loop {
  /** Stops the loop and waits for a round in progress. */
  stop(): Promise<void>;
}

/** Runs `fn` every `ms`, never two rounds at once (a slow round delays the next one). */
export function every(ms: number, fn: () => Promise<void>): Loop {
  let round: Promise<void> | null = null;
  const timer = setInterval(() => {
    round ??= fn()
      .catch(() => undefined) // rounds report their own failures
      .finally(() => {
        round = null;
      });
  }, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}

/** Resolves to `value` after `ms`, without keeping the process alive. */
export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
