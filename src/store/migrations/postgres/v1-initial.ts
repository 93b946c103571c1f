import type { PostgresMigration } from './migration.js';

/**
 * Version 1 of the Postgres schema, as applied by the releases that shipped it. History: never edited
 * (a database that ran it keeps it); its functions are dropped by version 3.
 */
export const V1_INITIAL: PostgresMigration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE deliveries (
  delivery_id TEXT PRIMARY KEY,
  received_at BIGINT NOT NULL
);
CREATE INDEX deliveries_received ON deliveries (received_at);

CREATE TABLE conversations (
  account_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  inbox_id BIGINT,
  contact_id BIGINT,
  contact_name TEXT,
  last_status TEXT,
  bot_state TEXT NOT NULL DEFAULT 'active',
  left_pending_at BIGINT,
  state_reason TEXT,
  state_changed_at BIGINT,
  due_at BIGINT,
  last_customer_at BIGINT,
  empty_streak INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
);
CREATE INDEX conversations_due ON conversations (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE messages (
  account_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  inbox_id BIGINT,
  role TEXT NOT NULL DEFAULT 'customer',
  text TEXT NOT NULL,
  attachments JSONB NOT NULL DEFAULT '[]',
  created_at TEXT,
  received_at BIGINT NOT NULL,
  awaiting_transcript BOOLEAN NOT NULL DEFAULT FALSE,
  state TEXT NOT NULL,
  turn_id TEXT,
  PRIMARY KEY (account_id, message_id)
);
CREATE INDEX messages_by_conversation ON messages (account_id, conversation_id, state, message_id);
-- A turn's messages are read and finished by turn id.
CREATE INDEX messages_by_turn ON messages (turn_id) WHERE turn_id IS NOT NULL;

CREATE TABLE turns (
  id TEXT PRIMARY KEY,
  -- Insertion order, for "latest turn" ties (SQLite uses its rowid).
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  account_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  inbox_id BIGINT,
  message_ids JSONB NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  reply TEXT,
  error TEXT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX turns_open ON turns (account_id, conversation_id) WHERE state = 'running';
CREATE INDEX turns_by_conversation ON turns (account_id, conversation_id, created_at DESC, seq DESC);

CREATE TABLE outbox (
  turn_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  account_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  content TEXT NOT NULL,
  private BOOLEAN NOT NULL DEFAULT FALSE,
  state TEXT NOT NULL,
  chatwoot_message_id BIGINT,
  attempted_at BIGINT,
  posted_at BIGINT,
  PRIMARY KEY (turn_id, part)
);
CREATE INDEX outbox_by_conversation ON outbox (account_id, conversation_id, state);

CREATE TABLE sessions (
  account_id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  session_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  turn_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, conversation_id)
);

CREATE TABLE inbox_settings (
  inbox_id BIGINT PRIMARY KEY,
  settings JSONB NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE queue_workers (
  worker_id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX queue_workers_by_instance ON queue_workers (instance_id);

-- Moves due_at to the debounced time of the conversation's pending messages; returns it (NULL: none
-- pending). Same formula as turn-id.ts debouncedDueAt, plus the bounded wait for a voice transcript.
CREATE FUNCTION chb_reschedule(p_account BIGINT, p_conversation BIGINT, p_now BIGINT, p_policy JSONB) RETURNS BIGINT
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
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
  UPDATE conversations SET due_at = v_due WHERE account_id = p_account AND conversation_id = p_conversation;
  RETURN v_due;
END
$fn$;

-- SqliteStore.accept in one call. The outcome is 'stored', 'duplicate' or 'ignored' (note = the reason). The conversation row is upserted first, which locks it: every
-- transaction touching a conversation takes that lock first, so they run one at a time per
-- conversation and never deadlock. \`e\` is the event flattened by PostgresStore (see accept there).
CREATE FUNCTION chb_accept(e JSONB, p_now BIGINT, p_policy JSONB, OUT outcome TEXT, OUT due BIGINT, OUT note TEXT)
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
  IF e->>'deliveryId' IS NOT NULL THEN
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
    UPDATE conversations SET last_customer_at = p_now, contact_id = COALESCE((e->>'contactId')::BIGINT, contact_id),
           contact_name = COALESCE(e->>'contactName', contact_name)
     WHERE account_id = v_account AND conversation_id = v_conversation;
    IF v_state <> 'pending' THEN
      note := format('bot silenced (%s): kept as context', v_conv.bot_state);
      RETURN;
    END IF;
    due := chb_reschedule(v_account, v_conversation, p_now, p_policy);

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
`,
};
