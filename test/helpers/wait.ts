/** Polling helpers shared by the fakes and the tests (no fixed sleeps: poll until true or time out). */

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra context for the timeout error, evaluated only on failure (e.g. a summary of recent requests). */
  describe?: () => string;
}

/** Resolves once `predicate` returns true; rejects with a descriptive error after `timeoutMs` (default 5000). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 10;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (err) {
      // A predicate that throws (e.g. reads a message not there yet) counts as "not yet".
      lastError = err;
    }
    if (Date.now() - started >= timeoutMs) {
      const parts = [`waitFor timed out after ${timeoutMs} ms: ${predicate.toString().slice(0, 300)}`];
      if (lastError) parts.push(`last predicate error: ${String(lastError)}`);
      if (opts.describe) parts.push(opts.describe());
      throw new Error(parts.join('\n'));
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
