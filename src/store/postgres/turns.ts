import type pg from 'pg';
import type { OutboxPart } from '../../domain/outbox.js';
import type { TurnOutcome } from '../../domain/turn.js';
import { finishTurnEffects } from '../../rules/take-turn.js';
import { toOutboxPart, type Row } from './rows.js';
import { isRetryable } from './tx.js';
import { prepared } from './params.js';

/** A turn's statements that decide nothing (postgres.ts runs the rules that do), one statement each. */

/** One statement, in its own transaction. A deadlock rolls it back whole, so it is tried again. */
async function call(pool: pg.Pool, text: string, params: unknown[]): Promise<Row[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await pool.query<Row>(prepared(text, params))).rows;
    } catch (error) {
      if (attempt < 3 && isRetryable(error)) continue;
      throw error;
    }
  }
}

/** The reply, the parts not planned yet, and the whole outbox (the parts already there and those just added). */
export async function planParts(
  pool: pg.Pool,
  turnId: string,
  plan: { reply: string | null; parts: Array<{ part: number; content: string; private: boolean }>; hermesMs?: number | null },
): Promise<OutboxPart[]> {
  const { reply, parts } = plan;
  const rows = await call(
    pool,
    `WITH t AS (SELECT id, account_id, conversation_id FROM turns WHERE id = $1),
     -- Erased on request while Hermes thought: its answer is not kept, and nothing is planned to post.
     live AS (SELECT t.* FROM t WHERE NOT EXISTS (
       SELECT 1 FROM conversations c WHERE c.account_id = t.account_id AND c.conversation_id = t.conversation_id AND c.forgotten_at IS NOT NULL)),
     -- Hermes' latency for the panel rides along (postgres.ts recordHermesLatency).
     r AS (UPDATE turns SET reply = COALESCE($2::text, reply), hermes_ms = COALESCE($6::int, hermes_ms)
             WHERE id = (SELECT id FROM live) AND ($2::text IS NOT NULL OR $6::int IS NOT NULL)),
     added AS (
       INSERT INTO outbox (turn_id, part, account_id, conversation_id, content, private, state)
       SELECT live.id, p.part, live.account_id, live.conversation_id, p.content, p.private, 'planned'
         FROM live, unnest($3::int[], $4::text[], $5::boolean[]) AS p(part, content, private)
       ON CONFLICT (turn_id, part) DO NOTHING RETURNING *)
     SELECT (SELECT count(*) FROM t)::int AS known,
            (SELECT COALESCE(json_agg(o ORDER BY o.part), '[]') FROM (SELECT * FROM outbox WHERE turn_id = $1 UNION ALL SELECT * FROM added) o) AS parts`,
    [turnId, reply, parts.map((p) => p.part), parts.map((p) => p.content), parts.map((p) => p.private), plan.hermesMs ?? null],
  );
  if (Number(rows[0]?.known) === 0) throw new Error(`unknown turn ${turnId}`);
  return (rows[0]!.parts as Row[]).map(toOutboxPart);
}

/**
 * The turn's outcome, its messages' state and, when delivered, the session's count
 * (finishTurnEffects). The conversation row is written first (its version grows), so a takeTurn or
 * an accept that read it before decides again.
 */
export async function finishTurn(pool: pg.Pool, turnId: string, end: { outcome: TurnOutcome; now: number; error?: string; hermesMs?: number | null }): Promise<void> {
  const effects = finishTurnEffects(end.outcome);
  await call(
    pool,
    `WITH t AS (SELECT account_id, conversation_id FROM turns WHERE id = $1),
     c AS (UPDATE conversations c SET empty_streak = CASE WHEN $5 THEN 0 ELSE c.empty_streak END, version = c.version + 1
             FROM t WHERE c.account_id = t.account_id AND c.conversation_id = t.conversation_id RETURNING 1),
     tu AS (UPDATE turns SET state = $2, error = $4, finished_at = $3, hermes_ms = COALESCE($7::int, hermes_ms) WHERE id = $1 AND state = 'running'),
     m AS (UPDATE messages SET state = $6 WHERE turn_id = $1 AND state <> 'shared'),
     s AS (UPDATE sessions s SET turn_count = s.turn_count + 1, last_used_at = $3 FROM t WHERE $5 AND s.account_id = t.account_id AND s.conversation_id = t.conversation_id)
     SELECT count(*) FROM c`,
    [turnId, end.outcome, end.now, end.error ?? null, effects.delivered, effects.messageState, end.hermesMs ?? null],
  );
}
