import type { Config } from '../../config/index.js';
import type { Logger } from '../../logger.js';
import { openStore } from '../../backend/backend.js';
import type { Store } from '../../store/store.js';
import { describeStore } from '../env.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

/** Opens the store (migrating it, as the bot would), reads and writes once. The caller closes the store. */
export async function checkStore(config: Config['store'], log: Logger): Promise<{ result: CheckResult; store: Store | null }> {
  const where = describeStore(config);
  let store: Store | null = null;
  try {
    store = await openStore(config, log);
    await store.ping();
    return { result: ok(`Store writable: ${where}`), store };
  } catch (error) {
    await store?.close().catch(() => undefined);
    return { result: fail(PROBLEMS.storeUnwritable, `${where}: ${error instanceof Error ? error.message : String(error)}`), store: null };
  }
}
