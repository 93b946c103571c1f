import type { Attachment } from '../domain/events.js';
import type { DebouncePolicy } from '../domain/intake.js';

/** When the next turn may start: DEBOUNCE_MS after the newest message, never later than DEBOUNCE_MAX_MS after the oldest. */
export function debouncedDueAt(firstPendingAt: number, now: number, policy: { debounceMs: number; debounceMaxMs: number }): number {
  return Math.min(now + policy.debounceMs, firstPendingAt + Math.max(policy.debounceMaxMs, policy.debounceMs));
}

/**
 * The debounced time of the messages waiting for a turn (null: none wait). A voice note's transcript
 * follows in message_updated a few seconds later: the turn waits for it, bounded by voiceWaitMs.
 */
export function pendingDueAt(pending: ReadonlyArray<{ receivedAt: number; awaitingTranscript: boolean }>, now: number, policy: DebouncePolicy): number | null {
  if (pending.length === 0) return null;
  const first = Math.min(...pending.map((m) => m.receivedAt));
  const due = debouncedDueAt(first, now, policy);
  const audio = pending.filter((m) => m.awaitingTranscript).map((m) => m.receivedAt);
  if (audio.length === 0 || !policy.voiceWaitMs) return due;
  return Math.max(due, Math.max(...audio) + policy.voiceWaitMs);
}

/** A voice note whose transcript has not arrived: Chatwoot sends it later, in message_updated. */
export function awaitsTranscript(attachments: ReadonlyArray<Pick<Attachment, 'file_type' | 'transcribed_text'>>): boolean {
  return attachments.some((a) => a.file_type === 'audio' && !(a.transcribed_text ?? '').trim());
}

/** The attachments once the transcript arrived: it belongs to the message's audio. */
export function withTranscript(attachments: Attachment[], transcript: string): Attachment[] {
  return attachments.map((a) => (a.file_type === 'audio' ? { ...a, transcribed_text: transcript } : a));
}
