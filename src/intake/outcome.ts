import type { BotCommand } from '../domain/events.js';

/**
 * What intake made of an authentic event. `accepted`: durably stored (or an agent command carried
 * out) — only then may it be acknowledged; `ignored`: nothing to keep, with why; `duplicate`: a
 * redelivery (same message or delivery id) of something already stored. A store failure is not an
 * outcome but a StoreUnavailableError (errors.ts): the event must be delivered again.
 */
export type IntakeOutcome =
  | {
      status: 'accepted';
      /** What the rules noted about the write (e.g. why no turn was scheduled). */
      note?: string | undefined;
      /** When the turn this event joined is due, from now; undefined when none was scheduled. */
      dueInMs?: number | undefined;
      /** The `/bot` command carried out, for an agent command. */
      command?: BotCommand['command'] | undefined;
    }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate' };
