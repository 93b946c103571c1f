/**
 * What the bot panel (src/dashboard/) reads of a conversation: bot state, counts, times and reasons,
 * never message contents.
 */
import type { BotState } from './conversation.js';
import type { SessionRecord } from './session.js';

/** One turn as the panel shows it: how it ended and how long Hermes took (null: Hermes did not answer). */
export interface PanelTurn {
  id: string;
  state: string;
  createdAt: number;
  finishedAt: number | null;
  hermesMs: number | null;
}

/** The latest hand-off or blocked reply of the conversation, with the reason the bot recorded. */
export interface PanelIssue {
  kind: 'handed_off' | 'blocked';
  /** As recorded (it may quote the customer or Hermes: the panel shows only what precedes a quote). */
  reason: string;
  at: number;
}

export interface PanelRows {
  conversation: {
    botState: BotState;
    stateReason: string | null;
    stateChangedAt: number | null;
    lastStatus: string | null;
    dueAt: number | null;
  } | null;
  /** Customer messages waiting for a turn. */
  waiting: number;
  session: SessionRecord | null;
  /** The latest turns, newest first. */
  turns: PanelTurn[];
  lastIssue: PanelIssue | null;
}
