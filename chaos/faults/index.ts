/** The faults, by id, in the brief's priority order; each built for a mode (quick: shorter, fewer). */
import type { Fault } from '../lib/harness.js';
import { chatwootDown, chatwootStorm } from './chatwoot.js';
import { hermes429Storm, hermesOutage } from './hermes.js';
import { killFault } from './kill.js';
import { redelivery } from './redelivery.js';

export type Mode = 'quick' | 'full';

export const FAULTS: Record<string, (mode: Mode) => Fault> = {
  redelivery: () => redelivery,
  kill: (mode) => killFault(mode === 'quick' ? 6 : 20),
  'hermes-down': (mode) => hermesOutage(mode === 'quick' ? 10_000 : 60_000),
  'hermes-429': (mode) => hermes429Storm(mode === 'quick' ? 8_000 : 30_000),
  'chatwoot-storm': (mode) => chatwootStorm(mode === 'quick' ? 8_000 : 30_000),
  'chatwoot-down': (mode) => chatwootDown(mode === 'quick' ? 15_000 : 30_000),
};
