import type { PostgresMigration } from './migration.js';

/**
 * Version 2 of the Postgres schema, as applied by the releases that shipped it. History: never edited
 * (a database that ran it keeps it); its functions are dropped by version 3.
 */
export const V2_STORE_FUNCTIONS: PostgresMigration = {
  version: 2,
  name: 'store functions',
  // A leaner chb_accept (fewer writes per webhook), and the turn's own writes as functions, one
  // round trip each like chb_accept: on a 2-core machine every round trip costs the bot ~0.5 ms of
  // wake-ups, and these three were 10, 6 and 7 of them. Each mirrors the SqliteStore method of the
  // same name; the store contract tests hold both to it.
  sql: `
-- The debounced time of the conversation's pending messages (NULL: none pending); chb_reschedule
-- writes it, chb_accept folds it into its one update of the conversation.
CREATE FUNCTION chb_pending_due(p_account BIGINT, p_conversation BIGINT, p_now BIGINT, p_policy JSONB) RETURNS BIGINT
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $fn$
DECLARE
  v_first BIGINT;
  v_audio BIGINT;
  v_due BIGINT;
  v_debounce BIGINT := (p_policy->>'debounceMs')::BIGINT;
  v_max BIGINT := (p_policy->>'debounceMaxMs')::BIGINT;
  v_voice BIGINT := COALESCE((p_policy->>'voiceWaitMs')::BIGINT, 0);
BEGIN
  SELECT min(m.received_at), max(m.received_at) FILTER (WHERE m.awaiting_transcript)
    INTO v_first, v_audio
    FROM messages m
   WHERE m.account_id = p_account AND m.conversation_id = p_conversation AND m.state = 'pending';
  IF v_first IS NOT NULL THEN
    v_due := least(p_now + v_debounce, v_first + greatest(v_max, v_debounce));
    IF v_audio IS NOT NULL AND v_voice > 0 THEN
      v_due := greatest(v_due, v_audio + v_voice);
    END IF;
  END IF;
  RETURN v_due;
END
$fn$;

CREATE OR REPLACE FUNCTION chb_reschedule(p_account BIGINT, p_conversation BIGINT, p_now BIGINT, p_policy JSONB) RETURNS BIGINT
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_due BIGINT := chb_pending_due(p_account, p_conversation, p_now, p_policy);
BEGIN
  UPDATE conversations SET due_at = v_due WHERE account_id = p_account AND conversation_id = p_conversation;
  RETURN v_due;
END
$fn$;

-- chb_accept as in version 1, but a customer's message is deduped by its id before anything is
-- written (no deliveries row for it, as SQLite), and the conversation is updated once per message.
CREATE OR REPLACE FUNCTION chb_accept(e JSONB, p_now BIGINT, p_policy JSONB, OUT outcome TEXT, OUT due BIGINT, OUT note TEXT)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
#variable_conflict use_column
DECLARE
  v_kind TEXT := e->>'kind';
  v_account BIGINT := (e->>'accountId')::BIGINT;
  v_conversation BIGINT := (e->>'conversationId')::BIGINT;
  v_status TEXT := e->>'status';
  v_message BIGINT := (e->>'messageId')::BIGINT;
  v_conv conversations%ROWTYPE;
  v_msg messages%ROWTYPE;
  v_rows INTEGER;
  v_state TEXT;
  v_turn TEXT;
  v_part INTEGER;
BEGIN
  outcome := 'stored';
  -- A customer's message is its own dedupe key, as in SqliteStore: no deliveries row for it, one
  -- index insert fewer per webhook. Checked before the conversation is touched, so a late retry
  -- leaves it as it is; two copies at once are still caught by the messages insert below.
  IF v_kind = 'customer_message' THEN
    IF EXISTS (SELECT 1 FROM messages WHERE account_id = v_account AND message_id = v_message) THEN
      outcome := 'duplicate';
      RETURN;
    END IF;
  ELSIF e->>'deliveryId' IS NOT NULL THEN
    INSERT INTO deliveries (delivery_id, received_at) VALUES (e->>'deliveryId', p_now) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
      outcome := 'duplicate';
      RETURN;
    END IF;
  END IF;

  INSERT INTO conversations AS c (account_id, conversation_id, inbox_id, last_status, updated_at)
  VALUES (v_account, v_conversation, (e->>'inboxId')::BIGINT, v_status, p_now)
  ON CONFLICT (account_id, conversation_id) DO UPDATE SET
    inbox_id = COALESCE(excluded.inbox_id, c.inbox_id), last_status = excluded.last_status, updated_at = excluded.updated_at
  RETURNING * INTO v_conv;

  IF v_kind = 'customer_message' THEN
    -- pending + bot active → a turn; bot silenced → kept for the hand-back: 'held' if the customer
    -- wrote while it was pending (may belong to the next bot phase), 'context' if humans had it open.
    v_state := CASE WHEN v_conv.bot_state = 'active' THEN CASE WHEN v_status = 'pending' THEN 'pending' END
                    WHEN v_status = 'pending' THEN 'held' ELSE 'context' END;
    IF v_state IS NULL THEN
      outcome := 'ignored';
      note := format('conversation is %s: humans own it', v_status);
      RETURN;
    END IF;
    INSERT INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, attachments, created_at, received_at, awaiting_transcript, state)
    VALUES (v_account, v_message, v_conversation, (e->>'messageInboxId')::BIGINT, 'customer', e->>'text', e->'attachments', e->>'createdAt', p_now,
            (e->>'awaitingTranscript')::BOOLEAN, v_state)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
      outcome := 'duplicate';
      RETURN;
    END IF;
    -- The contact, the last customer message time and (when it waits for a turn) the new due time in one write.
    IF v_state = 'pending' THEN
      due := chb_pending_due(v_account, v_conversation, p_now, p_policy);
    ELSE
      note := format('bot silenced (%s): kept as context', v_conv.bot_state);
    END IF;
    UPDATE conversations SET last_customer_at = p_now, contact_id = COALESCE((e->>'contactId')::BIGINT, contact_id),
           contact_name = COALESCE(e->>'contactName', contact_name), due_at = CASE WHEN v_state = 'pending' THEN due ELSE due_at END
     WHERE account_id = v_account AND conversation_id = v_conversation;

  ELSIF v_kind = 'takeover' THEN
    INSERT INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, received_at, state)
    VALUES (v_account, v_message, v_conversation, (e->>'inboxId')::BIGINT, 'agent', e->>'content', p_now, 'context')
    ON CONFLICT DO NOTHING;
    -- An explicit pause (agent command) outranks the automatic silence: it ends only by /bot resume.
    UPDATE conversations SET bot_state = 'human',
           state_reason = CASE WHEN e->>'by' = 'agent' THEN 'an agent replied' ELSE 'a reply was sent from the WhatsApp phone' END,
           state_changed_at = p_now,
           left_pending_at = CASE WHEN v_status = 'pending' THEN NULL ELSE p_now END
     WHERE account_id = v_account AND conversation_id = v_conversation AND bot_state <> 'paused';
    note := 'bot silenced: human took over';

  ELSIF v_kind = 'transcript' THEN
    SELECT * INTO v_msg FROM messages WHERE account_id = v_account AND message_id = v_message FOR UPDATE;
    IF NOT FOUND THEN
      note := 'transcript for a message the bot does not hold';
      RETURN;
    END IF;
    UPDATE messages SET awaiting_transcript = FALSE, attachments = (
             SELECT COALESCE(jsonb_agg(CASE WHEN a->>'file_type' = 'audio' THEN a || jsonb_build_object('transcribed_text', e->>'transcript') ELSE a END ORDER BY i), '[]'::jsonb)
               FROM jsonb_array_elements(v_msg.attachments) WITH ORDINALITY AS t(a, i))
     WHERE account_id = v_account AND message_id = v_message;
    IF v_msg.state <> 'pending' THEN
      note := format('transcript arrived after the message was %s', v_msg.state);
      RETURN;
    END IF;
    due := chb_reschedule(v_account, v_conversation, p_now, p_policy);
    note := 'transcript added';

  ELSIF v_kind = 'bot_echo' THEN
    -- Chatwoot's echo of our own post is a second witness that a part was delivered (see outbox).
    UPDATE outbox SET state = 'posted', posted_at = COALESCE(posted_at, p_now)
     WHERE account_id = v_account AND conversation_id = v_conversation AND chatwoot_message_id = v_message AND state <> 'posted';
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
      SELECT turn_id, part INTO v_turn, v_part FROM outbox
       WHERE account_id = v_account AND conversation_id = v_conversation AND state = 'posting' AND content = e->>'content'
       ORDER BY attempted_at NULLS FIRST LIMIT 1 FOR UPDATE;
      IF FOUND THEN
        UPDATE outbox SET state = 'posted', chatwoot_message_id = v_message, posted_at = p_now WHERE turn_id = v_turn AND part = v_part;
        note := 'echo confirmed an ambiguous post';
      END IF;
    END IF;

  ELSIF v_kind = 'status' THEN
    -- A silenced conversation resumes once it has left pending and come back; see SqliteStore.applyStatus.
    IF v_conv.bot_state IN ('active', 'paused') THEN
      RETURN;
    END IF;
    IF v_status <> 'pending' THEN
      IF v_conv.left_pending_at IS NULL THEN
        UPDATE conversations SET left_pending_at = p_now WHERE account_id = v_account AND conversation_id = v_conversation;
      END IF;
      RETURN;
    END IF;
    IF v_conv.left_pending_at IS NULL THEN
      note := 'still silenced: conversation has not left pending since the takeover';
      RETURN;
    END IF;
    UPDATE conversations SET bot_state = 'active', state_reason = 'conversation returned to pending', state_changed_at = p_now, left_pending_at = NULL
     WHERE account_id = v_account AND conversation_id = v_conversation;
    UPDATE messages SET state = 'pending'
     WHERE account_id = v_account AND conversation_id = v_conversation AND state = 'held' AND received_at >= v_conv.left_pending_at;
    due := chb_reschedule(v_account, v_conversation, p_now, p_policy);
    note := 'bot resumed';

  ELSE
    RAISE EXCEPTION 'chb_accept: unknown event kind %', v_kind;
  END IF;
END
$fn$;

-- SqliteStore.takeTurn: resume the conversation's unfinished turn, or make one of its pending messages
-- once they are due. Returns {"turn": row, "attempt": n, "messages": [rows]} or {"next_due_at": ms|null}.
-- The turn id is turn-id.ts turnIdFor (also Hermes' Idempotency-Key): cw-<account>-<conversation>-
-- <first message id>-<first 10 hex digits of sha256("<ids ascending, comma-separated>")>.
CREATE FUNCTION chb_take_turn(p_account BIGINT, p_conversation BIGINT, p_now BIGINT) RETURNS JSONB
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_conv conversations%ROWTYPE;
  v_turn turns%ROWTYPE;
  v_ids BIGINT[];
  v_id TEXT;
  v_due BIGINT;
BEGIN
  SELECT * INTO v_conv FROM conversations WHERE account_id = p_account AND conversation_id = p_conversation FOR UPDATE;
  SELECT * INTO v_turn FROM turns
   WHERE account_id = p_account AND conversation_id = p_conversation AND state = 'running' ORDER BY created_at, seq LIMIT 1;
  IF FOUND THEN
    UPDATE turns SET attempts = attempts + 1 WHERE id = v_turn.id;
    RETURN jsonb_build_object('turn', to_jsonb(v_turn), 'attempt', v_turn.attempts + 1, 'messages', chb_turn_messages(v_turn.id));
  END IF;
  SELECT array_agg(message_id ORDER BY message_id) INTO v_ids FROM messages
   WHERE account_id = p_account AND conversation_id = p_conversation AND state = 'pending';
  IF v_conv.account_id IS NULL OR v_ids IS NULL THEN
    IF v_conv.account_id IS NOT NULL THEN
      UPDATE conversations SET due_at = NULL WHERE account_id = p_account AND conversation_id = p_conversation;
    END IF;
    RETURN jsonb_build_object('next_due_at', NULL);
  END IF;
  v_due := COALESCE(v_conv.due_at, p_now);
  IF v_due > p_now THEN
    RETURN jsonb_build_object('next_due_at', v_due);
  END IF;

  v_id := format('cw-%s-%s-%s-%s', p_account, p_conversation, v_ids[1],
                 left(encode(sha256(convert_to(array_to_string(v_ids, ','), 'UTF8')), 'hex'), 10));
  INSERT INTO turns (id, account_id, conversation_id, inbox_id, message_ids, state, attempts, created_at)
  VALUES (v_id, p_account, p_conversation, v_conv.inbox_id, to_jsonb(v_ids), 'running', 1, p_now)
  RETURNING * INTO v_turn;
  UPDATE messages SET state = 'in_turn', turn_id = v_id WHERE account_id = p_account AND message_id = ANY (v_ids);
  -- What was said while the bot was silent travels with this turn, once, as hand-back context.
  UPDATE messages SET state = 'shared', turn_id = v_id
   WHERE account_id = p_account AND conversation_id = p_conversation AND state IN ('context', 'held');
  UPDATE conversations SET due_at = NULL WHERE account_id = p_account AND conversation_id = p_conversation;
  RETURN jsonb_build_object('turn', to_jsonb(v_turn), 'attempt', 1, 'messages', chb_turn_messages(v_id));
END
$fn$;

CREATE FUNCTION chb_turn_messages(p_turn TEXT) RETURNS JSONB
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
  SELECT COALESCE(jsonb_agg(to_jsonb(m) ORDER BY m.message_id), '[]'::jsonb) FROM messages m WHERE m.turn_id = p_turn
$fn$;

-- SqliteStore.planParts: the reply and its parts (a part already planned is kept as it is); returns the outbox.
CREATE FUNCTION chb_plan_parts(p_turn TEXT, p_reply TEXT, p_parts INTEGER[], p_contents TEXT[], p_private BOOLEAN[]) RETURNS SETOF outbox
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_account BIGINT;
  v_conversation BIGINT;
BEGIN
  SELECT account_id, conversation_id INTO v_account, v_conversation FROM turns WHERE id = p_turn;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown turn %', p_turn;
  END IF;
  PERFORM 1 FROM conversations WHERE account_id = v_account AND conversation_id = v_conversation FOR UPDATE;
  IF p_reply IS NOT NULL THEN
    UPDATE turns SET reply = p_reply WHERE id = p_turn;
  END IF;
  INSERT INTO outbox (turn_id, part, account_id, conversation_id, content, private, state)
  SELECT p_turn, p.part, v_account, v_conversation, p.content, p.private, 'planned'
    FROM unnest(p_parts, p_contents, p_private) AS p(part, content, private)
  ON CONFLICT (turn_id, part) DO NOTHING;
  RETURN QUERY SELECT * FROM outbox WHERE turn_id = p_turn ORDER BY part;
END
$fn$;

-- SqliteStore.finishTurn: the turn's outcome, its messages' state, and on delivery the session's count.
CREATE FUNCTION chb_finish_turn(p_turn TEXT, p_outcome TEXT, p_now BIGINT, p_error TEXT) RETURNS VOID
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_account BIGINT;
  v_conversation BIGINT;
BEGIN
  SELECT account_id, conversation_id INTO v_account, v_conversation FROM turns WHERE id = p_turn;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM 1 FROM conversations WHERE account_id = v_account AND conversation_id = v_conversation FOR UPDATE;
  UPDATE turns SET state = p_outcome, error = p_error, finished_at = p_now WHERE id = p_turn AND state = 'running';
  UPDATE messages SET state = CASE p_outcome WHEN 'delivered' THEN 'answered' WHEN 'skipped' THEN 'skipped' ELSE 'failed' END
   WHERE turn_id = p_turn AND state <> 'shared';
  IF p_outcome = 'delivered' THEN
    UPDATE sessions SET turn_count = turn_count + 1, last_used_at = p_now WHERE account_id = v_account AND conversation_id = v_conversation;
    UPDATE conversations SET empty_streak = 0 WHERE account_id = v_account AND conversation_id = v_conversation;
  END IF;
END
$fn$;
`,
};
