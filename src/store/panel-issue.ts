import { HANDOFF_NOTE_PREFIX } from '../domain/outbox.js';
import type { PanelIssue } from '../domain/panel.js';

/**
 * Both stores' panelView read the latest hand-off or blocked turn with its note (part 901) and its
 * blocked-reply note (part 902) as `note` and `blocked`; this turns that row into the panel's issue.
 */
/** A hand-off's reason is its note (without the prefix), else the turn's error; a blocked reply's is its note. */
export function toIssue(r: Record<string, unknown>): PanelIssue {
  const at = Number(r.finished_at ?? r.created_at);
  if (r.state !== 'handed_off' && r.blocked != null) return { kind: 'blocked', reason: String(r.blocked).replace(/^🤖\s*/, ''), at };
  const note = r.note == null ? null : String(r.note);
  const reason = note !== null ? note.replace(HANDOFF_NOTE_PREFIX, '') : String(r.error ?? 'handed off');
  return { kind: 'handed_off', reason, at };
}

