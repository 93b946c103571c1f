/** The faults, by id, in the brief's priority order; each built for a mode (quick: shorter, fewer). */
import type { Fault } from '../lib/harness.js';
import { chatwootDown, chatwootStorm } from './chatwoot.js';
import { hermes429Storm, hermesOutage } from './hermes.js';
import { badInput } from './bad-input.js';
import { killFault } from './kill.js';
import { postgresRefusing, postgresSilent, sqliteDiskFull } from './store.js';
import { redelivery } from './redelivery.js';

export type Mode = 'quick' | 'full';

export const FAULTS: Record<string, (mode: Mode) => Fault> = {
  redelivery: () => redelivery,
  kill: (mode) => killFault(mode === 'quick' ? 6 : 20),
  'hermes-down': (mode) => hermesOutage(mode === 'quick' ? 10_000 : 60_000),
  'hermes-429': (mode) => hermes429Storm(mode === 'quick' ? 8_000 : 30_000),
  'chatwoot-storm': (mode) => chatwootStorm(mode === 'quick' ? 8_000 : 30_000),
  'chatwoot-down': (mode) => chatwootDown(mode === 'quick' ? 15_000 : 30_000),
  // 5 s in both modes: the brief's outage, inside Chatwoot's retry window.
  'store-refused': () => postgresRefusing(5000),
  'store-silent': () => postgresSilent(5000),
  'disk-full': () => sqliteDiskFull(5000),
  'bad-input': (mode) => (mode === 'quick' ? badInput({ bodies: 1500, slowClients: 200 }) : badInput({ bodies: 10_000, slowClients: 1000 })),
};

/**
 * What `--quick` (CI) runs: every fault, the Postgres store outages included since the webhook got a
 * pool of its own and a dead connection is closed within a few seconds (src/store/postgres/connection.ts).
 */
export const QUICK_FAULTS = Object.keys(FAULTS);
