/**
 * The store out of reach for a few seconds, inside Chatwoot's retry window (3 attempts 3 s apart):
 * Postgres refusing (the proxy in front of it closes and cuts every connection, as a database that
 * restarts), Postgres silently dropping (the proxy stops forwarding, sockets stay open: no error, no
 * answer; those connections stay dead for good), and SQLite on a full disk (a small tmpfs on DATA_DIR,
 * filled; needs root). Webhooks during the outage must be answered within 4 s (a 500 Chatwoot
 * retries), so Chatwoot neither times out nor opens the conversation while the store comes back.
 */
import type { StoreName } from '../../bench/lib/stores.js';
import { fillDisk, mountTmpfs, unmount } from '../../test/helpers/disk.js';
import type { Fault } from '../lib/harness.js';
import { sleep } from './hermes.js';

const ACK_BUDGET_MS = 4000;
const postgresOnly = (store: StoreName) => (store === 'postgres' ? null : 'a Postgres fault (SQLite has no network link to cut)');

export function postgresRefusing(ms: number): Fault {
  return {
    name: `Postgres refusing ${ms / 1000} s`,
    ackBudgetMs: ACK_BUDGET_MS,
    skip: postgresOnly,
    during: async (world) => {
      await sleep(world.spanMs / 3);
      await world.pgProxy!.refuse({ reset: true });
      await sleep(ms);
      await world.pgProxy!.accept();
      return { 'store out for (s)': ms / 1000 };
    },
  };
}

export function postgresSilent(ms: number): Fault {
  return {
    name: `Postgres silently dropping ${ms / 1000} s`,
    ackBudgetMs: ACK_BUDGET_MS,
    skip: postgresOnly,
    during: async (world) => {
      await sleep(world.spanMs / 3);
      world.pgProxy!.freeze();
      await sleep(ms);
      world.pgProxy!.thaw();
      return { 'store out for (s)': ms / 1000 };
    },
  };
}

export function sqliteDiskFull(ms: number): Fault {
  let mountError: string | null = null;
  return {
    name: `SQLite disk full ${ms / 1000} s`,
    ackBudgetMs: ACK_BUDGET_MS,
    skip: (store) => (store === 'sqlite' ? (process.getuid?.() === 0 ? null : 'needs root, to mount a small tmpfs on DATA_DIR') : 'a SQLite fault'),
    prepare: async (lease) => {
      mountError = mountTmpfs(lease.dir, '64m');
      if (mountError) throw new Error(`could not mount a tmpfs on DATA_DIR: ${mountError}`);
      return async () => unmount(lease.dir);
    },
    during: async (world) => {
      await sleep(world.spanMs / 3);
      const free = fillDisk(world.lease.dir);
      await sleep(ms);
      free();
      return { 'disk full for (s)': ms / 1000 };
    },
  };
}
